package smartcar

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// ServeHTTP handles one delivery.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.n.received.Add(1)
	if r.Method != http.MethodPost {
		h.n.badMethod.Add(1)
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, nil, "webhook deliveries are POST requests")
		return
	}
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		h.n.unavailable.Add(1)
		h.refuse(w, r, http.StatusServiceUnavailable, nil, "the webhook handler is closed")
		return
	}
	body, status, msg := h.readBody(w, r)
	if status != 0 {
		h.refuse(w, r, status, nil, msg)
		return
	}
	sig := r.Header.Get(SignatureHeader)
	token := h.cfg.tokens[0]
	if strings.TrimSpace(sig) != "" {
		var err error
		if token, err = verifySignature(body, sig, h.cfg.tokens); err != nil {
			h.n.unauthorized.Add(1)
			h.refuse(w, r, http.StatusUnauthorized, nil, err.Error())
			return
		}
	}
	ev, err := DecodeWebhookEvent(body)
	if strings.TrimSpace(sig) == "" {
		if v, ok := ev.(*VerifyEvent); !ok || h.cfg.signedVerify || !safeChallenge(v.Challenge) {
			h.n.unauthorized.Add(1)
			h.refuse(w, r, http.StatusUnauthorized, ev, ErrSignatureMissing.Error())
			return
		}
	}
	if err != nil {
		h.n.malformed.Add(1)
		h.refuse(w, r, http.StatusBadRequest, nil, err.Error())
		return
	}
	if v, ok := ev.(*VerifyEvent); ok {
		h.n.challenges.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"challenge":"`+HashChallenge(token, v.Challenge)+`"}`)
		return
	}
	status, msg = h.accept(r.Context(), ev)
	if status != http.StatusOK {
		h.refuse(w, r, status, ev, msg)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// safeChallenge reports whether answering an unsigned challenge cannot sign an event:
// an event body is a JSON object, so it starts with "{" after JSON white space.
func safeChallenge(c string) bool {
	return !strings.HasPrefix(strings.TrimLeft(c, " \t\r\n"), "{")
}

// refuse answers status with a short text and logs the refusal.
func (h *WebhookHandler) refuse(w http.ResponseWriter, r *http.Request, status int, ev WebhookEvent, msg string) {
	attrs := []any{"status", status, "reason", msg, "remote", r.RemoteAddr}
	if ev != nil {
		e := ev.Envelope()
		attrs = append(attrs, "eventId", e.EventID, "eventType", string(e.Type), "deliveryId", e.DeliveryID)
	}
	h.log.LogAttrs(r.Context(), slog.LevelWarn, "smartcar webhook refused", argsToAttrs(attrs)...)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

func argsToAttrs(args []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		out = append(out, slog.Any(args[i].(string), args[i+1]))
	}
	return out
}

// readBody reads the body within the size cap and the read timeout. A non-zero status
// is the answer to send instead.
func (h *WebhookHandler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, string) {
	max := h.cfg.maxBody
	tooLarge := func() string { return fmt.Sprintf("the body is larger than %d bytes", max) }
	if r.ContentLength > max {
		h.n.tooLarge.Add(1)
		return nil, http.StatusRequestEntityTooLarge, tooLarge()
	}
	// The timer cuts a read in progress by moving the connection's read deadline. It
	// runs in a goroutine of its own, possibly after the body was read and stop called:
	// then it must leave the connection alone (a past deadline would fail net/http's
	// background read and cancel the request's context in the middle of the delivery).
	var mu sync.Mutex
	reading, timedOut := true, false
	rc := http.NewResponseController(w)
	stop := telematics.AfterFunc(h.clock, h.cfg.readTimeout, func() {
		mu.Lock()
		defer mu.Unlock()
		if reading {
			timedOut = true
			_ = rc.SetReadDeadline(time.Now()) // a read in progress fails at once
		}
	})
	body, err := readAll(http.MaxBytesReader(w, r.Body, max), r.ContentLength)
	mu.Lock()
	reading = false
	cut := timedOut
	mu.Unlock()
	stop()
	var mbe *http.MaxBytesError
	switch {
	case err == nil && !cut:
		return body, 0, ""
	case errors.As(err, &mbe):
		h.n.tooLarge.Add(1)
		return nil, http.StatusRequestEntityTooLarge, tooLarge()
	case cut:
		h.n.slowBodies.Add(1)
		return nil, http.StatusRequestTimeout, fmt.Sprintf("the body was not received within %v", h.cfg.readTimeout)
	}
	h.n.malformed.Add(1)
	return nil, http.StatusBadRequest, "the body could not be read"
}

// readAll reads r, sized by the request's Content-Length when known.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 || size > DefaultWebhookMaxBody*64 {
		return io.ReadAll(r)
	}
	buf := make([]byte, size+1)
	n, err := io.ReadFull(r, buf)
	switch err {
	case io.ErrUnexpectedEOF, io.EOF:
		return buf[:n], nil
	case nil:
		rest, err := io.ReadAll(r) // longer than announced
		return append(buf, rest...), err
	}
	return nil, err
}
