package wrapper

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/exopartner/exopartner/internal/transport"
)

// DefaultEndpoint is the Partner API's endpoint, base path included. It is
// the server the spec declares (a test keeps the two equal).
const DefaultEndpoint = "https://partner-api.exoscale.com/v1.alpha"

// resolveEndpoint picks the option, else EXOSCALE_PARTNER_API_ENDPOINT, else
// DefaultEndpoint. It must be an absolute http(s) URL without user,
// password, query or fragment; plain http is refused off loopback unless
// insecure.
func resolveEndpoint(c *config) (*url.URL, error) {
	ep := c.endpoint
	if ep == "" {
		ep = os.Getenv(EnvEndpoint)
	}
	if ep == "" {
		ep = DefaultEndpoint
	}
	u, err := url.Parse(ep)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("exopartner: endpoint %q: want an absolute http(s) URL such as %s", redactURL(ep), DefaultEndpoint)
	}
	shown := u.Redacted()
	switch {
	case u.User != nil:
		return nil, fmt.Errorf("exopartner: endpoint %q: must not carry a user or password (requests are signed with the API key)", shown)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("exopartner: endpoint %q: must not carry a query", shown)
	case u.Fragment != "" || strings.Contains(ep, "#"):
		return nil, fmt.Errorf("exopartner: endpoint %q: must not carry a fragment", shown)
	case u.Scheme == "http" && !c.insecure && !transport.IsLoopback(u.Hostname()):
		return nil, fmt.Errorf("exopartner: endpoint %q: plain http is only allowed to a loopback host; use https or WithInsecure", shown)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

// redactURL hides the password of a URL that may not parse: whatever sits
// between "://" and the last "@" before the path.
func redactURL(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return s[:i+3] + redacted + rest[at:]
	}
	return s
}
