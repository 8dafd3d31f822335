// Package connect gives the example programs their clients: the real API when the
// provider's credentials are in the environment, a fake server started in-process when
// they are not. Each function says which on its log writer, in one line.
package connect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// MyCarTracks returns a client of the real API when MYCARTRACKS_CLIENT_ID is set (read by
// mycartracks.FromEnv), or of a simulated fleet started here. simulated says which;
// closeAll releases the client and the fake.
func MyCarTracks(log io.Writer) (client *mycartracks.Client, simulated bool, closeAll func(), err error) {
	if os.Getenv(mycartracks.EnvClientID) != "" {
		client, err := mycartracks.FromEnv()
		if err != nil {
			return nil, false, nil, err
		}
		fmt.Fprintf(log, "Using the MyCarTracks API at %s\n", client.BaseURL())
		return client, false, client.Close, nil
	}
	srv := mycartrackstest.NewServer()
	fmt.Fprintf(log, "%s is not set: using the built-in simulated fleet at %s\n", mycartracks.EnvClientID, srv.BaseURL)
	client, err = srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, false, nil, err
	}
	return client, true, func() { client.Close(); srv.Close() }, nil
}

// Smartcar returns a client of the real API when SMARTCAR_CLIENT_ID is set (read by
// smartcar.FromEnv), or of a fake Smartcar started here. simulated says which; closeAll
// releases the client and the fake.
func Smartcar(log io.Writer, userAgent string) (client *smartcar.Client, simulated bool, closeAll func(), err error) {
	if os.Getenv(smartcar.EnvClientID) != "" {
		fmt.Fprintln(log, "Using the Smartcar API with the credentials in SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET.")
		c, err := smartcar.FromEnv(smartcar.WithUserAgent(userAgent))
		if err != nil {
			return nil, false, nil, err
		}
		return c, false, c.Close, nil
	}
	return smartcarFake(log, userAgent, nil)
}

// smartcarFake starts a fake Smartcar, lets setup change its fleet, and returns a
// client of it.
func smartcarFake(log io.Writer, userAgent string, setup func(*smartcartest.Server)) (client *smartcar.Client, simulated bool, closeAll func(), err error) {
	fmt.Fprintln(log, "Using the built-in fake Smartcar (SMARTCAR_CLIENT_ID is not set); set SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET for the real API.")
	fake := smartcartest.NewServer()
	if setup != nil {
		setup(fake)
	}
	c, err := fake.NewClient(smartcar.WithUserAgent(userAgent))
	if err != nil {
		fake.Close()
		return nil, true, nil, err
	}
	return c, true, func() { c.Close(); fake.Close() }, nil
}

// SmartcarConnection finds the connection of a vehicle (and user, when given), or the
// application's first connection when vehicleID is empty.
func SmartcarConnection(ctx context.Context, c *smartcar.Client, vehicleID, userID string) (smartcar.Connection, error) {
	page, err := c.Connections.List(ctx, &smartcar.ConnectionListOptions{VehicleID: vehicleID, UserID: userID, PageSize: 1})
	if err != nil {
		return smartcar.Connection{}, err
	}
	if len(page.Items) == 0 {
		if vehicleID != "" {
			return smartcar.Connection{}, fmt.Errorf("no connection for vehicle %s", vehicleID)
		}
		return smartcar.Connection{}, errors.New("no vehicle is connected to this application")
	}
	return page.Items[0], nil
}
