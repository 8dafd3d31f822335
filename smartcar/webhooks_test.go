package smartcar_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestWebhooks(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	yes, no := true, false

	page, err := e.client.Webhooks.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	assert.Equal(t, 3, page.Total)
	assert.False(t, page.HasNext())
	w := page.Items[0]
	assert.Equal(t, smartcartest.WebhookID, w.ID)
	assert.Equal(t, "Example Webhook", w.Name)
	assert.Equal(t, "https://example.com/smartcar/webhooks", w.CallbackURI)
	assert.True(t, w.Enabled)
	assert.False(t, w.AutoSubscribe)
	assert.Equal(t, e.srv.ManagementAPIURL+"/webhooks/"+smartcartest.WebhookID, w.SelfURL)
	assert.False(t, w.CreatedAt.IsZero())
	assert.Contains(t, string(w.Raw), `"callbackUri"`)

	for _, tc := range []struct {
		name string
		opts smartcar.WebhookListOptions
		want []string
	}{
		{"disabled", smartcar.WebhookListOptions{Enabled: &no}, []string{smartcartest.DisabledWebhookID}},
		{"auto-subscribing", smartcar.WebhookListOptions{Enabled: &yes, AutoSubscribe: &yes}, []string{smartcartest.OtherWebhookID}},
		{"by name", smartcar.WebhookListOptions{Name: "Old endpoint"}, []string{smartcartest.DisabledWebhookID}},
		{"by callback", smartcar.WebhookListOptions{CallbackURI: "https://example.com/smartcar/errors"}, []string{smartcartest.OtherWebhookID}},
		{"one at a time", smartcar.WebhookListOptions{PageSize: 1}, []string{smartcartest.WebhookID, smartcartest.OtherWebhookID, smartcartest.DisabledWebhookID}},
	} {
		var ids []string
		for w, err := range e.client.Webhooks.All(ctx, &tc.opts) {
			require.NoError(t, err, tc.name)
			ids = append(ids, w.ID)
		}
		assert.Equal(t, tc.want, ids, tc.name)
	}
	q := e.srv.Requests()
	assert.Equal(t, "false", q[1].Query.Get("filter[isEnabled]"))

	_, err = e.client.Webhooks.List(ctx, &smartcar.WebhookListOptions{PageSize: 101})
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)

	// A subscription names its webhook by URL; Get reads it.
	sub, err := e.client.Subscriptions.Get(ctx, smartcartest.SubscriptionOne)
	require.NoError(t, err)
	assert.Equal(t, e.srv.ManagementAPIURL+"/webhooks/"+smartcartest.WebhookID, sub.WebhookURL)
	assert.Equal(t, e.srv.VehicleAPIURL+"/vehicles/"+smartcartest.VehicleModel3, sub.Vehicle.SelfURL)
	got, err := e.client.Webhooks.Get(ctx, sub.WebhookID)
	require.NoError(t, err)
	assert.Equal(t, "Example Webhook", got.Name)
	_, err = e.client.Webhooks.Get(ctx, "nope")
	assert.ErrorIs(t, err, telematics.ErrNotFound)
}

func TestConnectionsByExternalID(t *testing.T) {
	e := newFake(t, nil)
	var ids []string
	for c, err := range e.client.Connections.All(context.Background(), &smartcar.ConnectionListOptions{UserExternalID: smartcartest.ExternalIDBob}) {
		require.NoError(t, err)
		assert.Equal(t, smartcartest.ExternalIDBob, c.UserExternalID)
		ids = append(ids, c.VehicleID)
	}
	assert.ElementsMatch(t, []string{smartcartest.VehicleCamry, smartcartest.VehicleF150}, ids)
}
