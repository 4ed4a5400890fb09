package wrapper

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// DefaultEndpoint is the Partner API's endpoint, base path included. It is
// the server the spec declares (a test keeps the two equal).
const DefaultEndpoint = "https://partner-api.exoscale.com/v1.alpha"

// resolveEndpoint picks the option, else EXOSCALE_PARTNER_API_ENDPOINT, else
// DefaultEndpoint, and refuses plain http off loopback unless insecure.
func resolveEndpoint(c *config) (string, error) {
	ep := c.endpoint
	if ep == "" {
		ep = os.Getenv(EnvEndpoint)
	}
	if ep == "" {
		ep = DefaultEndpoint
	}
	u, err := url.Parse(ep)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("exopartner: endpoint %q: want an absolute http(s) URL such as %s", ep, DefaultEndpoint)
	}
	if u.Scheme == "http" && !c.insecure && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("exopartner: endpoint %q: plain http is only allowed to a loopback host; use https or WithInsecure", ep)
	}
	return strings.TrimSuffix(ep, "/"), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
