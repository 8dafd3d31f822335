package smartcar_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// A webhook receiver with typed events, fed by the fake Smartcar sender.
func ExampleNewWebhookHandler() {
	const token = "application-management-token"
	h, err := smartcar.NewWebhookHandler(token)
	if err != nil {
		panic(err)
	}
	defer h.Close()
	mux := http.NewServeMux()
	mux.Handle("/smartcar/webhook", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := context.Background()
	sub, err := h.Subscribe(ctx, smartcar.WebhookEvents())
	if err != nil {
		panic(err)
	}
	defer sub.Close()

	fake := smartcartest.NewServer()
	defer fake.Close()
	sender := smartcartest.NewSender(srv.URL+"/smartcar/webhook", token)
	state, _ := fake.VehicleStateEvent("", smartcartest.VehicleModel3, time.Time{})
	failure, _ := fake.VehicleErrorEvent("", smartcartest.VehicleCamry, "VEHICLE_STATE", "ASLEEP", "ERROR")
	verified, _ := sender.Verify(ctx)
	fmt.Println("VERIFY answered:", verified)
	for _, ev := range []smartcartest.Event{state, failure, state} { // the last is a redelivery
		sender.Deliver(ctx, ev, smartcartest.Signed)
	}

	for range 2 {
		switch ev := (<-sub.Webhooks()).(type) {
		case *smartcar.VehicleStateEvent:
			if soc, ok := ev.Signal(smartcar.SignalTractionBatteryStateOfCharge); ok && soc.OK() && !soc.Stale {
				fmt.Println(ev.Vehicle.Make, soc.Value)
			}
		case *smartcar.VehicleErrorEvent:
			for _, e := range ev.Errors {
				fmt.Println(ev.Vehicle.Make, e.State, e.Type, e.Code)
			}
		}
	}
	fmt.Println("duplicates acknowledged:", h.Stats().Duplicates)
	// Output:
	// VERIFY answered: true
	// TESLA 72 percent
	// TOYOTA ERROR VEHICLE_STATE ASLEEP
	// duplicates acknowledged: 1
}
