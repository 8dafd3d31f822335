package smartcartest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func Example() {
	fake := smartcartest.NewServer()
	defer fake.Close()
	client, err := fake.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	owner := smartcar.WithUserID(smartcartest.UserBob)

	if _, err := client.Commands.Lock(ctx, smartcartest.VehicleF150, owner); err != nil {
		log.Fatal(err)
	}
	s, _ := client.Signals.Get(ctx, smartcartest.VehicleF150, smartcar.SignalClosureIsLocked, owner)
	fmt.Println("locked:", s.Value)

	fake.FailNext(smartcartest.DropConnection().On(http.MethodPost, "/vehicles/"+smartcartest.VehicleF150+"/commands/"))
	_, err = client.Commands.Unlock(ctx, smartcartest.VehicleF150, owner)
	fmt.Println("may have succeeded:", telematics.MayHaveSucceeded(err))
	fmt.Println("unlock requests:", fake.CountRequests(http.MethodPost, "/vehicles/"+smartcartest.VehicleF150+"/commands/security/unlock"))
	// Output:
	// locked: true
	// may have succeeded: true
	// unlock requests: 1
}
