package live

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// PublicFlag is the command-line flag that allows Serve to listen on an
// address other than loopback; Serve's error names it.
const PublicFlag = "--listen-public"

// ErrNotLoopback is returned by Serve for an address that is not on
// loopback when allowPublic is false.
var ErrNotLoopback = errors.New("not a loopback address")

// Handler serves /metrics (the registry, in the Prometheus text or
// OpenMetrics format as the scraper asks) and /healthz ("ok"), for GET
// and HEAD only; other methods get 405, other paths 404.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return readOnly(mux)
}

func readOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed: this endpoint is read-only", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Serve listens on addr (host:port; port 0 picks a free one) and serves h
// until ctx is done, then shuts the server down (open requests get 5 s).
// It returns the address it listens on. Unless allowPublic, addr must be
// on loopback (127.0.0.0/8, ::1 or "localhost"): an empty host or
// 0.0.0.0 would expose the endpoint to the network, and is refused with
// an error that names PublicFlag.
func Serve(ctx context.Context, addr string, allowPublic bool, h http.Handler) (net.Addr, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w (want host:port, e.g. 127.0.0.1:9187)", addr, err)
	}
	if !allowPublic && !loopback(host) {
		return nil, fmt.Errorf("listen address %q: %w: metrics would be reachable from other hosts; use 127.0.0.1:PORT, or add %s to allow it", addr, ErrNotLoopback, PublicFlag)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	return ln.Addr(), nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
