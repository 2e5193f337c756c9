package server

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// MinTokenLen is the shortest token accepted.
const MinTokenLen = 16

// CheckToken refuses a token that is set but blank or shorter than
// MinTokenLen characters; the empty token (no token) passes.
func CheckToken(token string) error {
	switch {
	case token == "":
		return nil
	case strings.TrimSpace(token) == "":
		return errors.New("the token is blank")
	case len([]rune(token)) < MinTokenLen:
		return fmt.Errorf("the token is shorter than %d characters", MinTokenLen)
	}
	return nil
}

// CheckHosts checks the syntax of allowed hosts (--allowed-host) and
// allowed origins (--allow-origin) as New would.
func CheckHosts(allowedHosts, allowOrigins []string) error {
	_, err := newAccess("127.0.0.1:1", allowedHosts, allowOrigins)
	return err
}

// access holds the Host names and browser origins a server answers. It is
// built once by New and read-only afterwards.
type access struct {
	// hosts are the allowed Host header values (lower case, host or
	// host:port, IPv6 in brackets); nil means loopback names only, with
	// any port.
	hosts map[string]bool
	// origins are the allowed Origin values, normalised (see
	// normaliseOrigin).
	origins map[string]bool
}

// loopbackNames are the names of a loopback listener.
var loopbackNames = []string{"localhost", "127.0.0.1", "[::1]"}

// newAccess builds the allowed hosts of a listener at listen (empty: any
// loopback name and port), the extra names of allowedHosts and the extra
// origins of allowOrigins.
func newAccess(listen string, allowedHosts, allowOrigins []string) (*access, error) {
	a := &access{origins: make(map[string]bool)}
	for _, o := range allowOrigins {
		n, ok := normaliseOrigin(o)
		if !ok {
			return nil, fmt.Errorf("allowed origin %q: want scheme://host[:port], e.g. https://viz.example:8443", o)
		}
		a.origins[n] = true
	}
	if listen == "" {
		if len(allowedHosts) > 0 {
			return nil, errors.New("allowed hosts need the listen address")
		}
		return a, nil
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", listen, err)
	}
	a.hosts = make(map[string]bool)
	add := func(h string, schemes ...string) {
		h = strings.ToLower(h)
		a.hosts[h] = true
		for _, sc := range schemes {
			if n, ok := normaliseOrigin(sc + "://" + h); ok {
				a.origins[n] = true
			}
		}
	}
	add(net.JoinHostPort(host, port), "http")
	ip := net.ParseIP(host)
	if strings.EqualFold(host, "localhost") || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		for _, n := range loopbackNames {
			add(n+":"+port, "http")
		}
	}
	if ip != nil && ip.IsUnspecified() {
		// Listening on every interface: every address of the machine.
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, ad := range addrs {
				if ipn, ok := ad.(*net.IPNet); ok && !ipn.IP.IsLinkLocalUnicast() {
					add(net.JoinHostPort(ipn.IP.String(), port), "http")
				}
			}
		}
	}
	for _, h := range allowedHosts {
		if h == "" || strings.ContainsAny(h, "/@ \t") {
			return nil, fmt.Errorf("allowed host %q: want a name or name:port, e.g. viz.example", h)
		}
		if hh, p, err := net.SplitHostPort(h); err == nil {
			if _, err := strconv.ParseUint(p, 10, 16); err != nil || hh == "" {
				return nil, fmt.Errorf("allowed host %q: bad port", h)
			}
			add(h, "http", "https")
			continue
		}
		if strings.Contains(strings.Trim(h, "[]"), ":") && !strings.HasPrefix(h, "[") {
			h = "[" + h + "]" // bare IPv6 address
		}
		// A bare name: reached on the listen port, or on a proxy's default
		// port (no port in Host).
		add(h, "http", "https")
		add(h+":"+port, "http")
	}
	return a, nil
}

// hostOK reports whether the Host header value h is one of the server's.
func (a *access) hostOK(h string) bool {
	h = strings.ToLower(h)
	if a.hosts != nil {
		return a.hosts[h]
	}
	name := h
	if hh, _, err := net.SplitHostPort(h); err == nil {
		name = hh
		if strings.Contains(hh, ":") {
			name = "[" + hh + "]"
		}
	}
	for _, n := range loopbackNames {
		if name == n {
			return true
		}
	}
	return false
}

// originOK reports whether the Origin header value o is allowed for a
// request whose (already checked) Host is host.
func (a *access) originOK(o, host string) bool {
	n, ok := normaliseOrigin(o)
	if !ok {
		return false
	}
	if a.origins[n] {
		return true
	}
	if a.hosts == nil {
		// Loopback names with any port: the page's own origin.
		own, ok := normaliseOrigin("http://" + host)
		return ok && own == n
	}
	return false
}

// normaliseOrigin returns o as scheme://host[:port] in lower case, without
// a default port, or false when o is not an http or https origin.
func normaliseOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSuffix(o, "/"))
	if err != nil || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host := strings.ToLower(u.Host)
	if p := u.Port(); (scheme == "http" && p == "80") || (scheme == "https" && p == "443") {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return scheme + "://" + host, true
}

// contentSecurityPolicy is the policy of every reply; host is the
// request's checked Host, for the websocket's connect-src (which 'self'
// covers only in newer browsers). The page's graph layout runs in a worker
// made from a blob: URL; styles are set through the CSSOM and by the
// graph library.
func contentSecurityPolicy(host string) string {
	connect := "'self'"
	if host != "" {
		connect += " ws://" + host + " wss://" + host
	}
	return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
		"connect-src " + connect + "; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
		"form-action 'none'; frame-ancestors 'none'"
}
