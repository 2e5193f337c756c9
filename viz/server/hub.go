package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Websocket timing.
const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
)

// resyncMsg tells a client that fell behind to refetch /api/v1/rings.
var resyncMsg = mustJSON(typeMsg{Type: "resync"})

// client is one websocket connection with its bounded queue. The
// publisher never blocks on it: when the queue is full, the queue is
// emptied and a resync message takes its place.
type client struct {
	send    chan []byte
	quit    chan struct{}
	once    sync.Once
	resyncs int // resync messages queued; guarded by Server.mu
}

// close ends the client's writer.
func (c *client) close() { c.once.Do(func() { close(c.quit) }) }

// enqueue queues msg without blocking. On overflow it drops what is queued
// and queues a resync message instead. Callers hold Server.mu, so enqueue
// calls never race one another.
func (c *client) enqueue(msg []byte) {
	select {
	case c.send <- msg:
		return
	default:
	}
	for drained := false; !drained; {
		select {
		case <-c.send:
		default:
			drained = true
		}
	}
	c.resyncs++
	select {
	case c.send <- resyncMsg:
	default:
	}
}

// broadcastLocked queues msg for every client; s.mu must be held for
// writing.
func (s *Server) broadcastLocked(msg []byte) {
	for c := range s.clients {
		c.enqueue(msg)
	}
}

// publish queues msg for every client.
func (s *Server) publish(msg []byte) {
	s.mu.Lock()
	s.broadcastLocked(msg)
	s.mu.Unlock()
}

// handleStream upgrades to a websocket, sends the current state (stats, then
// every current ring, best first, then the latest staff alerts) and then
// every message as published.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 16 << 10,
		CheckOrigin:     s.originOK,
	}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has replied
	}
	s.mu.Lock()
	// Room for the initial state on top of the configured queue, so that a
	// client joining a city with many rings is not told to resync at once.
	c := &client{send: make(chan []byte, s.cfg.QueueSize+len(s.snap.order)+len(s.recentAlerts)+2), quit: make(chan struct{})}
	if s.closed {
		s.mu.Unlock()
		_ = conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(writeWait))
		conn.Close()
		return
	}
	s.clients[c] = struct{}{}
	c.enqueue(mustJSON(s.statusLocked()))
	if st := s.status.Stage; st != "" && !s.status.Ready {
		c.enqueue(mustJSON(progressMsg{Type: "progress", Stage: st}))
	}
	for _, id := range s.snap.order {
		c.enqueue(mustJSON(ringMsg{Type: "ring", Ring: s.snap.full[id]}))
	}
	for _, a := range s.recentAlerts {
		c.enqueue(mustJSON(a))
	}
	s.mu.Unlock()

	go s.readPump(conn, c)
	s.writePump(conn, c)
	s.mu.Lock()
	delete(s.clients, c)
	s.mu.Unlock()
	conn.Close()
}

// readPump discards what the client sends and handles pongs; it closes the
// client when the connection fails.
func (s *Server) readPump(conn *websocket.Conn, c *client) {
	defer c.close()
	conn.SetReadLimit(4 << 10)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		if _, _, err := conn.NextReader(); err != nil {
			return
		}
	}
}

// writePump writes queued messages until the client closes, a write fails
// or the server shuts down.
func (s *Server) writePump(conn *websocket.Conn, c *client) {
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.quit:
			_ = conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(writeWait))
			return
		case msg := <-c.send:
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				c.close()
				return
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				c.close()
				return
			}
		}
	}
}
