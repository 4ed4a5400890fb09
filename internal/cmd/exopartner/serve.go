package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// shutdownGrace is how long serve waits for requests in flight to finish
// once it is told to stop.
const shutdownGrace = 5 * time.Second

// serveCommand runs the fake Partner API on --addr until ctx is cancelled
// (SIGINT or SIGTERM), then shuts down gracefully.
func serveCommand(fs *flag.FlagSet) action {
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	return func(ctx context.Context, e *env, _ wrapper.ID) error {
		key, secret := e.getenv(wrapper.EnvAPIKey), e.getenv(wrapper.EnvAPISecret)
		demo := key == "" && secret == ""
		switch {
		case demo:
			key, secret = partnertest.DemoKey, partnertest.DemoSecret
		case key == "" || secret == "":
			return usagef("serve", "set both %s and %s, or neither to use the demo credentials", wrapper.EnvAPIKey, wrapper.EnvAPISecret)
		}

		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fmt.Errorf("exopartner: serve: %w", err)
		}
		fake := partnertest.NewAPI(partnertest.WithCredentials(key, secret))
		defer fake.Close()
		var h http.Handler = fake
		if e.verbose {
			h = accessLog(e.logger(), h)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}

		url := "http://" + ln.Addr().String() + partnertest.BasePath
		fmt.Fprintf(e.stdout, "serving the fake Partner API at %s\n", url)
		if demo {
			fmt.Fprintf(e.stdout, "accepting the demo credentials %s=%s %s=%s\n", wrapper.EnvAPIKey, key, wrapper.EnvAPISecret, secret)
			fmt.Fprintf(e.stdout, "try: %s=%s %s=%s exopartner --endpoint %s list-distributor-organizations\n",
				wrapper.EnvAPIKey, key, wrapper.EnvAPISecret, secret, url)
		} else {
			fmt.Fprintf(e.stdout, "accepting the key %s from %s and the secret from %s\n", key, wrapper.EnvAPIKey, wrapper.EnvAPISecret)
			fmt.Fprintf(e.stdout, "try: exopartner --endpoint %s list-distributor-organizations\n", url)
		}
		fmt.Fprintln(e.stdout, "press Ctrl-C to stop")

		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		select {
		case err := <-served: // Serve failed on its own
			return fmt.Errorf("exopartner: serve: %w", err)
		case <-ctx.Done():
		}
		fake.Close() // ends any latency wait, so that Shutdown need not wait for it
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		defer cancel()
		err = srv.Shutdown(sctx)
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		if err != nil {
			return fmt.Errorf("exopartner: serve: shutting down: %w", err)
		}
		fmt.Fprintln(e.stdout, "stopped")
		return nil
	}
}

// accessLog logs one debug record per request served (never its
// Authorization header).
func accessLog(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		l.LogAttrs(r.Context(), slog.LevelDebug, "served",
			slog.String("method", r.Method), slog.String("path", r.URL.EscapedPath()),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
