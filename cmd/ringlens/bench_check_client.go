package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// A checkClient posts checks on one keep-alive HTTP/1.1 connection of its
// own, with the requests written out in advance, and reads each answer
// with http.ReadResponse: no Transport, so no goroutines or channels
// between the schedule and the socket. The load generator shares the two
// cores with the server it measures: what it spends on a check is taken
// from the server and shows in the latency as the clients' lag.
type checkClient struct {
	addr     string   // host:port to dial
	requests [][]byte // each body as a whole request
	conn     net.Conn
	br       *bufio.Reader
	body     bytes.Buffer // the last answer's body, reused
	timeout  time.Duration
}

// checkClientTimeout bounds a check's round trip in the load generator.
const checkClientTimeout = 10 * time.Second

// newCheckClient returns a client that posts bodies to rawURL (an http
// URL of the check endpoint). It connects on its first post.
func newCheckClient(rawURL string, bodies [][]byte) (*checkClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("bench check: %q is not an http URL", rawURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	c := &checkClient{addr: addr, requests: make([][]byte, len(bodies)), timeout: checkClientTimeout}
	for i, b := range bodies {
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", u.RequestURI(), u.Host, len(b))
		c.requests[i] = append([]byte(head), b...)
	}
	return c, nil
}

// another returns a client of its own connection posting the same
// requests (shared, read only: they are written out once for all clients).
func (c *checkClient) another() *checkClient {
	return &checkClient{addr: c.addr, requests: c.requests, timeout: c.timeout}
}

// post sends request k (modulo the bodies) and reads its answer: the
// status code and the decision the answer gives ("" when it has none).
// A connection the server closes, or asks to close, is dialled again for
// the next post.
func (c *checkClient) post(k int) (status int, decision string, err error) {
	if c.conn == nil {
		if c.conn, err = net.DialTimeout("tcp", c.addr, c.timeout); err != nil {
			return 0, "", err
		}
		c.br = bufio.NewReaderSize(c.conn, 16<<10)
	}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	if err := c.conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, "", err
	}
	if _, err := c.conn.Write(c.requests[k%len(c.requests)]); err != nil {
		return 0, "", err
	}
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, "", err
	}
	c.body.Reset()
	_, err = c.body.ReadFrom(res.Body)
	res.Body.Close()
	if err != nil {
		return 0, "", err
	}
	if res.Close {
		c.close()
	}
	return res.StatusCode, decisionOf(c.body.Bytes()), nil
}

// decisionKey opens the decision in a check's answer.
const decisionKey = `"decision":"`

// decisionOf returns the decision of a check's answer ("" when it has
// none): the first "decision" key, which the answer writes first, read
// without decoding the rest.
func decisionOf(body []byte) string {
	_, rest, ok := bytes.Cut(body, []byte(decisionKey))
	if !ok {
		return ""
	}
	d, _, ok := bytes.Cut(rest, []byte{'"'})
	if !ok {
		return ""
	}
	return string(d)
}

// close closes the connection; the next post dials again.
func (c *checkClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.br = nil, nil
	}
}
