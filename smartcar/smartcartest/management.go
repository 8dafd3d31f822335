package smartcartest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

func (s *Server) subscriptionResource(sub *subscription) map[string]any {
	attrs := map[string]any{}
	if v := s.vehicleByID(sub.vehicleID); v != nil {
		attrs["vehicle"] = s.vehicleAttributes(v)
	}
	return map[string]any{
		"type": "subscription", "id": sub.id, "attributes": attrs,
		"meta": map[string]any{"createdAt": isoTime(sub.createdAt), "updatedAt": isoTime(sub.createdAt)},
		"relationships": map[string]any{
			// The webhook relationship has links.related, as in the docs' example [C],
			// pointing at GET /webhooks/{id}.
			"webhook": map[string]any{"data": map[string]any{"type": "webhook", "id": sub.webhookID}, "links": map[string]any{"related": s.absolute("management", "/webhooks/"+sub.webhookID, nil)}},
			"user":    map[string]any{"data": map[string]any{"type": "user", "id": sub.userID}},
			// The docs' example elides the vehicle relationship; a related link to the
			// vehicle, as on connections [C], is our assumption [I].
			"vehicle": map[string]any{"data": map[string]any{"type": "vehicle", "id": sub.vehicleID},
				"links": map[string]any{"related": s.absolute("vehicle", "/vehicles/"+sub.vehicleID, nil)}},
		},
		"links": map[string]any{"self": s.absolute("management", "/subscriptions/"+sub.id, nil)},
	}
}

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	attrs, err := commandAttributes(rc.body)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, badParameter("The request body is not a JSON:API document."))
		return
	}
	str := func(k string) string { v, _ := attrs[k].(string); return v }
	webhookID, userID, vehicleID := str("webhookId"), str("userId"), str("vehicleId")
	if webhookID == "" || userID == "" || vehicleID == "" {
		s.writeError(w, http.StatusBadRequest, badParameter("webhookId, userId and vehicleId are required."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if wh, _ := s.findWebhook(webhookID); wh == nil {
		s.writeError(w, http.StatusNotFound, notFound("Webhook"))
		return
	}
	if c, _ := find(s.connections, func(c *connection) bool { return c.vehicleID == vehicleID && c.userID == userID }); c == nil {
		s.writeError(w, http.StatusNotFound, notFound("Vehicle connection"))
		return
	}
	if sub, _ := find(s.subscriptions, func(sub *subscription) bool { return sub.webhookID == webhookID && sub.vehicleID == vehicleID }); sub != nil {
		s.writeError(w, http.StatusConflict, apiErr{Code: "CONFLICT", Title: "Conflict", Detail: "The vehicle is already subscribed to this webhook."})
		return
	}
	s.seq++
	s.subscriptions = append(s.subscriptions, &subscription{
		id: fmt.Sprintf("3c90c3cc-0d44-4b50-8888-%012d", s.seq), webhookID: webhookID, userID: userID, vehicleID: vehicleID, createdAt: rc.now,
	})
	writeJSON(w, http.StatusAccepted, map[string]any{"meta": map[string]any{"message": "subscription creation in progress"}})
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	number, size, err := page(q, 25, 100)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, badParameter(err.Error()))
		return
	}
	s.mu.Lock()
	var items []any
	for _, sub := range s.subscriptions {
		v := s.vehicleByID(sub.vehicleID)
		if f := q.Get("filter[webhookId]"); f != "" && f != sub.webhookID {
			continue
		}
		if f := q.Get("filter[userId]"); f != "" && f != sub.userID {
			continue
		}
		if f := q.Get("filter[vehicleId]"); f != "" && f != sub.vehicleID {
			continue
		}
		if f := q.Get("filter[vehicle.mode]"); f != "" && (v == nil || f != v.mode) {
			continue
		}
		items = append(items, s.subscriptionResource(sub))
	}
	s.mu.Unlock()
	s.writePage(w, r, rc, items, number, size, nil, nil)
}

func (s *Server) findSubscription(id string) (*subscription, int) {
	return find(s.subscriptions, func(sub *subscription) bool { return sub.id == id })
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	serveOne(s, w, "Subscription", func() (*subscription, int) { return s.findSubscription(r.PathValue("subscriptionID")) }, s.subscriptionResource)
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.mu.Lock()
	sub, i := s.findSubscription(r.PathValue("subscriptionID"))
	if sub != nil {
		s.subscriptions = slices.Delete(s.subscriptions, i, i+1)
	}
	s.mu.Unlock()
	if sub == nil {
		s.writeError(w, http.StatusNotFound, notFound("Subscription"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) findWebhook(id string) (*webhook, int) {
	return find(s.webhooks, func(w *webhook) bool { return w.id == id })
}

// webhookResource renders a webhook. Smartcar documents the list and get endpoints
// [C] but, in docs/evidence.md, not the resource's attributes: name, callbackUri,
// isEnabled and autoSubscribe are the names of its documented filters [I].
func (s *Server) webhookResource(w *webhook) map[string]any {
	return map[string]any{
		"id": w.id, "type": "webhook",
		"attributes": map[string]any{"name": w.name, "callbackUri": w.callbackURI, "isEnabled": w.enabled, "autoSubscribe": w.autoSubscribe},
		"meta":       map[string]any{"createdAt": isoTime(w.createdAt), "updatedAt": isoTime(w.createdAt)},
		"links":      map[string]any{"self": s.absolute("management", "/webhooks/"+w.id, nil)},
	}
}

// listWebhooks serves GET /webhooks: filter[name], filter[callbackUri],
// filter[isEnabled], filter[autoSubscribe]; page[size] default 50, max 100 [C]. The
// filters match exactly (not documented, [I]); a boolean filter other than true or
// false is 400 VALIDATION:PARAMETER [I].
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	number, size, err := page(q, 50, 100)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, badParameter(err.Error()))
		return
	}
	boolFilter := func(name string) (*bool, error) {
		v := q.Get(name)
		if v == "" {
			return nil, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			return nil, fmt.Errorf("%s must be true or false", name)
		}
		return &b, nil
	}
	enabled, err1 := boolFilter("filter[isEnabled]")
	auto, err2 := boolFilter("filter[autoSubscribe]")
	if err := cmp.Or(err1, err2); err != nil {
		s.writeError(w, http.StatusBadRequest, badParameter(err.Error()))
		return
	}
	s.mu.Lock()
	var items []any
	for _, wh := range s.webhooks {
		if f := q.Get("filter[name]"); f != "" && f != wh.name {
			continue
		}
		if f := q.Get("filter[callbackUri]"); f != "" && f != wh.callbackURI {
			continue
		}
		if enabled != nil && *enabled != wh.enabled {
			continue
		}
		if auto != nil && *auto != wh.autoSubscribe {
			continue
		}
		items = append(items, s.webhookResource(wh))
	}
	s.mu.Unlock()
	s.writePage(w, r, rc, items, number, size, nil, nil)
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	serveOne(s, w, "Webhook", func() (*webhook, int) { return s.findWebhook(r.PathValue("webhookID")) }, s.webhookResource)
}
