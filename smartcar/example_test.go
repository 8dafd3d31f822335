package smartcar_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// A client against the fake: list the connections, then read a vehicle's signals on
// behalf of its owner.
func Example() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, err := smartcar.NewClient(fake.ClientID, fake.ClientSecret, fake.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	for conn, err := range client.Connections.All(ctx, &smartcar.ConnectionListOptions{UserID: smartcartest.UserAlice}) {
		if err != nil {
			log.Fatal(err)
		}
		set, err := client.Signals.List(ctx, conn.VehicleID, smartcar.WithUserID(conn.UserID))
		if err != nil {
			log.Fatal(err)
		}
		soc, _ := set.Get(smartcar.SignalTractionBatteryStateOfCharge)
		fmt.Printf("%s %s: %s\n", conn.Vehicle.Make, conn.Vehicle.Model, soc.Value)
	}
	// Output:
	// VOLKSWAGEN ID.4: 45 percent
	// TESLA Model 3: 72 percent
}

func ExampleSignalsService_List() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, _ := fake.NewClient()
	defer client.Close()

	set, err := client.Signals.List(context.Background(), smartcartest.VehicleModel3, smartcar.WithUserID(smartcartest.UserAlice))
	if err != nil {
		log.Fatal(err)
	}
	for _, code := range []smartcar.SignalCode{
		smartcar.SignalTractionBatteryRange, smartcar.SignalClosureIsLocked,
		smartcar.SignalChargeChargeRate, smartcar.SignalLocationPreciseLocation,
	} {
		s, _ := set.Get(code)
		switch v := s.Value.(type) {
		case smartcar.AdditionalValues:
			fmt.Printf("%s: %v %s\n", s.Name, v.Value, v.Unit)
		case smartcar.BoolValue:
			fmt.Printf("%s: %v\n", s.Name, v.Value)
		case smartcar.Location:
			pos, _ := s.Position()
			fmt.Printf("%s: %.4f, %.4f heading %s\n", s.Name, pos.Latitude, pos.Longitude, pos.Heading)
		}
		if !s.OK() {
			fmt.Printf("%s: %s %s:%s\n", s.Name, s.Status, s.Error.Type, s.Error.Code)
		}
	}
	// Output:
	// Range: 380 km
	// IsLocked: true
	// ChargeRate: ERROR VEHICLE_STATE:NOT_CHARGING
	// PreciseLocation: 37.7749, -122.4194 heading 90°
}

func ExampleCommandsService_SetChargeLimit() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, _ := fake.NewClient()
	defer client.Close()
	ctx := context.Background()
	owner := smartcar.WithUserID(smartcartest.UserAlice)

	exec, err := client.Commands.SetChargeLimit(ctx, smartcartest.VehicleModel3, 90, owner)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(exec.Type, exec.Status, exec.Succeeded())
	s, _ := client.Signals.Get(ctx, smartcartest.VehicleModel3, smartcar.SignalChargeChargeLimits, owner)
	limit, _ := s.Value.(smartcar.ChargeLimits).Global()
	fmt.Println("limit now", limit)
	// Output:
	// charge-set-limit SUCCESS true
	// limit now 90%
}

// A command whose outcome is unknown is not repeated; the error says so.
func ExampleCommandsService_Unlock_mayHaveSucceeded() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, _ := fake.NewClient()
	defer client.Close()

	fake.FailNext(smartcartest.GatewayTimeout())
	_, err := client.Commands.Unlock(context.Background(), smartcartest.VehicleModel3, smartcar.WithUserID(smartcartest.UserAlice))
	fmt.Println("may have succeeded:", telematics.MayHaveSucceeded(err))

	fake.FailNext(smartcartest.Asleep())
	_, err = client.Commands.Unlock(context.Background(), smartcartest.VehicleModel3, smartcar.WithUserID(smartcartest.UserAlice))
	fmt.Println("asleep:", smartcar.IsVehicleAsleep(err), "may have succeeded:", telematics.MayHaveSucceeded(err))
	// Output:
	// may have succeeded: true
	// asleep: true may have succeeded: false
}

func ExampleSubscriptionsService_Subscribe() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, _ := fake.NewClient()
	defer client.Close()

	req := smartcar.SubscribeRequest{WebhookID: smartcartest.WebhookID, UserID: smartcartest.UserBob, VehicleID: smartcartest.VehicleCamry}
	res, err := client.Subscriptions.Subscribe(context.Background(), req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.HTTPStatus, res.Message)
	_, err = client.Subscriptions.Subscribe(context.Background(), req)
	fmt.Println(errors.Is(err, smartcar.ErrAlreadySubscribed))
	// Output:
	// 202 subscription creation in progress
	// true
}

func ExampleAPIError() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, _ := fake.NewClient()
	defer client.Close()

	_, err := client.Signals.List(context.Background(), smartcartest.VehicleModel3, smartcar.WithUserID(smartcartest.UserBob))
	var apiErr *smartcar.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Type, apiErr.Resolution, apiErr.RequestID)
	}
	fmt.Println(errors.Is(err, telematics.ErrForbidden), smartcar.NeedsReauthentication(err))
	// Output:
	// 403 PERMISSION REAUTHENTICATE 00000000-0000-4000-8000-000000000001
	// true true
}

func ExampleDecodeValue() {
	v := smartcar.DecodeValue([]byte(`{"values": [{"type": "GLOBAL", "limit": 80}], "activeLimit": 80, "unit": "percent"}`))
	limits := v.(smartcar.ChargeLimits)
	fmt.Println(*limits.ActiveLimit, v)
	fmt.Println(smartcar.DecodeValue([]byte(`{"status": "OK"}`)))
	// Output:
	// 80% active 80 percent; GLOBAL 80 percent
	// {"status": "OK"}
}

func ExampleSignalCode() {
	c := smartcar.SignalTractionBatteryStateOfCharge
	fmt.Println(c, c.Group(), c.Name(), c.Known())
	fmt.Println(len(smartcar.GroupClosure.Codes()), smartcar.SignalCode("vin").Known())
	// Output:
	// tractionbattery-stateofcharge TractionBattery StateOfCharge true
	// 8 false
}

// List one page at a time, asking for the page All would fetch next.
func ExampleConnectionsService_List() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, _ := fake.NewClient()
	defer client.Close()

	opts := &smartcar.ConnectionListOptions{PageSize: 2}
	for {
		page, err := client.Connections.List(context.Background(), opts)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("page %d of %d connections: %d items\n", page.Number, page.Total, len(page.Items))
		if !page.HasNext() {
			break
		}
		opts.PageNumber = page.NextPageNumber
	}
	// Output:
	// page 1 of 5 connections: 2 items
	// page 2 of 5 connections: 2 items
	// page 3 of 5 connections: 1 items
}

// Do reaches an endpoint the SDK does not model, here the vehicle resource read raw.
func ExampleClient_Do() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, _ := fake.NewClient()
	defer client.Close()

	var doc struct {
		Data struct {
			Attributes struct {
				Make  string `json:"make"`
				Model string `json:"model"`
			} `json:"attributes"`
		} `json:"data"`
	}
	_, err := client.Do(context.Background(), smartcar.VehicleAPI, "GET", "/vehicles/"+smartcartest.VehicleCamry, nil, nil, &doc)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.Data.Attributes.Make, doc.Data.Attributes.Model)
	// Output: TOYOTA Camry
}
