package mycartrackstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"
)

type streamRequest struct {
	VehicleIDs []int64 `json:"vehicleIds"`
	GroupIDs   []int64 `json:"groupIds"`
}

// createStream serves POST /vehicles/livePositions/stream.
func (s *Server) createStream(c *call) reply {
	l := s.live
	l.mu.Lock()
	status := l.refuseAll
	if status == 0 && len(l.refuseNext) > 0 {
		status, l.refuseNext = l.refuseNext[0], l.refuseNext[1:]
	}
	l.mu.Unlock()
	switch {
	case status == http.StatusUnauthorized:
		return unauthorized(c.r)
	case status == http.StatusForbidden:
		return errorReply(status, "forbidden", "live positions are not enabled for this account")
	case status != 0:
		return errorReply(status, "service_unavailable", "the live stream service is unavailable (injected fault)")
	}
	var req streamRequest
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &req); err != nil {
			return badRequest("the body must be {\"vehicleIds\":[...],\"groupIds\":[...]}").reply()
		}
	}
	st := &liveStream{token: randomHex(16), expiresAt: c.now.Add(l.cfg.ttl)}
	if len(req.VehicleIDs) > 0 || len(req.GroupIDs) > 0 {
		st.vehicles = map[int64]bool{}
		for _, v := range s.fleet.vehicles {
			if slices.Contains(req.VehicleIDs, v.id) || slices.ContainsFunc(v.groupIDs, func(g int64) bool { return slices.Contains(req.GroupIDs, g) }) {
				st.vehicles[v.id] = true
			}
		}
	}
	id := randomHex(8)
	l.mu.Lock()
	l.streams[id] = st
	l.created++
	l.urls = append(l.urls, "ws"+strings.TrimPrefix(s.hs.URL, "http")+livePath+id+"?token="+st.token)
	l.startTickingLocked()
	l.mu.Unlock()
	ws := "ws" + strings.TrimPrefix(s.hs.URL, "http") + livePath + id + "?token=" + st.token
	b, _ := json.Marshal(map[string]string{"streamId": id, "websocketUrl": ws, "expiresAt": st.expiresAt.UTC().Format(time.RFC3339)})
	return reply{status: http.StatusOK, body: b}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// serveLive serves the WebSocket of a stream: the URL's token must match, the stream
// must not have expired nor been used.
func (s *Server) serveLive(w http.ResponseWriter, r *http.Request) {
	l := s.live
	id := strings.TrimPrefix(r.URL.Path, livePath)
	now := s.cfg.clock.Now()
	l.mu.Lock()
	st := l.streams[id]
	var refuse string
	switch {
	case st == nil:
		refuse = "unknown stream"
	case r.URL.Query().Get("token") != st.token:
		refuse = "invalid stream token"
	case st.used:
		refuse = "stream already used"
	case now.After(st.expiresAt):
		refuse = "stream expired"
	case l.rejectDials > 0:
		l.rejectDials--
		st.used = true
		refuse = "stream refused (injected fault)"
	default:
		st.used = true
	}
	l.mu.Unlock()
	if refuse != "" {
		writeReply(w, errorReply(http.StatusUnauthorized, "invalid_stream", refuse))
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	c := &liveConn{vehicles: st.vehicles, out: make(chan []byte, liveOutBuffer), drop: make(chan struct{})}
	l.mu.Lock()
	select {
	case <-l.stop:
		l.mu.Unlock()
		conn.CloseNow()
		return
	default:
	}
	l.conns[c] = struct{}{}
	l.notifyLocked()
	l.wg.Add(1)
	// Vehicles already offline are announced at once.
	for _, vid := range l.order {
		if lv := l.vehicles[vid]; !lv.never && !lv.reporting && lv.offlineSent && (c.vehicles == nil || c.vehicles[vid]) {
			c.out <- offlineFrame(lv, now)
		}
	}
	l.mu.Unlock()
	defer l.wg.Done()
	defer func() {
		l.mu.Lock()
		delete(l.conns, c)
		l.notifyLocked()
		l.mu.Unlock()
	}()
	ctx := conn.CloseRead(context.Background())
	for {
		select {
		case frame := <-c.out:
			if conn.Write(ctx, websocket.MessageText, frame) != nil {
				conn.CloseNow()
				return
			}
		case <-c.drop:
			l.mu.Lock()
			closing := c.closing
			l.mu.Unlock()
			if closing != nil {
				_ = conn.Write(ctx, websocket.MessageText, closing)
				_ = conn.Close(websocket.StatusNormalClosure, "stream expired")
				return
			}
			conn.CloseNow()
			return
		case <-ctx.Done():
			conn.CloseNow()
			return
		}
	}
}
