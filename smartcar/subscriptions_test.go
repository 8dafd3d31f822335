package smartcar_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestSubscribe(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	req := smartcar.SubscribeRequest{WebhookID: smartcartest.OtherWebhookID, UserID: smartcartest.UserBob, VehicleID: smartcartest.VehicleCamry}
	res, err := e.client.Subscriptions.Subscribe(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, &smartcar.SubscribeResult{Message: "subscription creation in progress", HTTPStatus: http.StatusAccepted}, res)
	assert.True(t, e.srv.Subscribed(smartcartest.OtherWebhookID, smartcartest.VehicleCamry))
	r := e.srv.Requests()[0]
	assert.Equal(t, "management", r.API)
	assert.JSONEq(t, `{"data":{"attributes":{"webhookId":"`+smartcartest.OtherWebhookID+`","userId":"`+smartcartest.UserBob+`","vehicleId":"`+smartcartest.VehicleCamry+`"}}}`, string(r.Body))

	_, err = e.client.Subscriptions.Subscribe(ctx, req)
	assert.ErrorIs(t, err, smartcar.ErrAlreadySubscribed)
	assert.ErrorIs(t, err, telematics.ErrConflict)
	assert.False(t, telematics.MayHaveSucceeded(err))
	assert.ErrorIs(t, smartcar.ErrAlreadySubscribed, telematics.ErrConflict)

	_, err = e.client.Subscriptions.Subscribe(ctx, smartcar.SubscribeRequest{WebhookID: "nope", UserID: smartcartest.UserBob, VehicleID: smartcartest.VehicleCamry})
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	assert.NotErrorIs(t, err, smartcar.ErrAlreadySubscribed)
	_, err = e.client.Subscriptions.Subscribe(ctx, smartcar.SubscribeRequest{WebhookID: smartcartest.WebhookID, UserID: smartcartest.UserAlice, VehicleID: smartcartest.VehicleCamry})
	assert.ErrorIs(t, err, telematics.ErrNotFound, "not Alice's vehicle")

	e.srv.ResetRequests()
	for _, bad := range []smartcar.SubscribeRequest{{UserID: "u", VehicleID: "v"}, {WebhookID: "w", VehicleID: "v"}, {WebhookID: "w", UserID: "u"}} {
		_, err = e.client.Subscriptions.Subscribe(ctx, bad)
		assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	}
	assert.Zero(t, e.srv.CountRequests("", ""))

	// A 5xx after the request was written is not repeated: the subscription may exist.
	e.srv.FailNext(smartcartest.ServerError().On(http.MethodPost, "/subscriptions"))
	_, err = e.client.Subscriptions.Subscribe(ctx, smartcar.SubscribeRequest{WebhookID: smartcartest.OtherWebhookID, UserID: smartcartest.UserAlice, VehicleID: smartcartest.VehicleID4})
	assert.True(t, telematics.MayHaveSucceeded(err))
	assert.Equal(t, 1, e.srv.CountRequests(http.MethodPost, "/subscriptions"))
}

func TestSubscriptionsListGetUnsubscribe(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	for _, v := range []string{smartcartest.VehicleID4, smartcartest.VehicleBolt} {
		owner := smartcartest.UserAlice
		if v == smartcartest.VehicleBolt {
			owner = smartcartest.UserCarol
		}
		_, err := e.client.Subscriptions.Subscribe(ctx, smartcar.SubscribeRequest{WebhookID: smartcartest.WebhookID, UserID: owner, VehicleID: v})
		require.NoError(t, err)
	}
	p, err := e.client.Subscriptions.List(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, p.Total)
	assert.Equal(t, 25, p.Size)
	first := p.Items[0]
	assert.Equal(t, smartcartest.SubscriptionOne, first.ID)
	assert.Equal(t, smartcartest.WebhookID, first.WebhookID)
	assert.Equal(t, smartcartest.UserAlice, first.UserID)
	assert.Equal(t, smartcartest.VehicleModel3, first.VehicleID)
	assert.Equal(t, "TESLA", first.Vehicle.Make)
	assert.Equal(t, smartcartest.VehicleModel3, first.Vehicle.ID)
	assert.Equal(t, smartcartest.Epoch.AddDate(0, 0, -7), first.CreatedAt)
	assert.Equal(t, e.srv.ManagementAPIURL+"/subscriptions/"+smartcartest.SubscriptionOne, first.SelfURL)

	p, err = e.client.Subscriptions.List(ctx, &smartcar.SubscriptionListOptions{UserID: smartcartest.UserAlice, WebhookID: smartcartest.WebhookID,
		VehicleMode: smartcar.ModeLive, PageSize: 1, PageNumber: 2})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	assert.Equal(t, smartcartest.VehicleID4, p.Items[0].VehicleID)
	assert.Equal(t, "2", e.srv.Requests()[len(e.srv.Requests())-1].Query.Get("page[number]"))

	var ids []string
	for s, err := range e.client.Subscriptions.All(ctx, &smartcar.SubscriptionListOptions{PageSize: 1}) {
		require.NoError(t, err)
		ids = append(ids, s.VehicleID)
	}
	assert.Equal(t, []string{smartcartest.VehicleModel3, smartcartest.VehicleID4, smartcartest.VehicleBolt}, ids)
	ids = nil
	for s, err := range e.client.Subscriptions.All(ctx, &smartcar.SubscriptionListOptions{VehicleID: smartcartest.VehicleBolt, VehicleMode: smartcar.ModeSimulated}) {
		require.NoError(t, err)
		ids = append(ids, s.VehicleID)
	}
	assert.Equal(t, []string{smartcartest.VehicleBolt}, ids)
	for _, size := range []int{101, -1} {
		errs := allErrors(e.client.Subscriptions.All(ctx, &smartcar.SubscriptionListOptions{PageSize: size}))
		require.Len(t, errs, 1, "page size %d", size)
		assert.ErrorIs(t, errs[0], telematics.ErrInvalidInput)
	}
	_, err = e.client.Subscriptions.List(ctx, &smartcar.SubscriptionListOptions{PageNumber: -2})
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)

	s, err := e.client.Subscriptions.Get(ctx, smartcartest.SubscriptionOne)
	require.NoError(t, err)
	assert.Equal(t, smartcartest.WebhookID, s.WebhookID)
	require.NoError(t, e.client.Subscriptions.Unsubscribe(ctx, smartcartest.SubscriptionOne))
	_, err = e.client.Subscriptions.Get(ctx, smartcartest.SubscriptionOne)
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	assert.ErrorIs(t, e.client.Subscriptions.Unsubscribe(ctx, smartcartest.SubscriptionOne), telematics.ErrNotFound)
	assert.False(t, e.srv.Subscribed(smartcartest.WebhookID, smartcartest.VehicleModel3))
	_, err = e.client.Subscriptions.Get(ctx, "")
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.ErrorIs(t, e.client.Subscriptions.Unsubscribe(ctx, ".."), telematics.ErrInvalidInput)

	// Removing a user removes their subscriptions.
	require.NoError(t, e.client.Users.Delete(ctx, smartcartest.UserCarol))
	assert.False(t, e.srv.Subscribed(smartcartest.WebhookID, smartcartest.VehicleBolt))
}
