package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
)

// Driver is a driver of the account.
type Driver struct {
	ID    ID     `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	// Raw is the driver's JSON as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a driver, also from a {"data":{...}} envelope, keeping Raw.
func (d *Driver) UnmarshalJSON(b []byte) error { return unmarshalModel(b, d, driverFromWire) }

// wireDriver decodes like Driver without its UnmarshalJSON.
type wireDriver Driver

func driverFromWire(w *wireDriver, raw json.RawMessage) Driver {
	d := Driver(*w)
	d.Raw = raw
	return d
}

// DriversService lists and reads drivers (GET /drivers).
type DriversService service

var driversList = listEndpoint[wireDriver, Driver]{epDriversList, driverFromWire, func(x *Driver) ID { return x.ID }}

// List returns one page of drivers. opts may be nil.
func (s *DriversService) List(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) (*Page[Driver], error) {
	return driversList.page(ctx, s.client, opts.clone(), nil, reqOpts)
}

// All iterates over every driver. opts may be nil.
func (s *DriversService) All(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) iter.Seq2[Driver, error] {
	return driversList.all(ctx, s.client, opts.clone(), nil, reqOpts)
}

// Get returns one driver.
func (s *DriversService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*Driver, error) {
	return getOne[Driver](ctx, s.client, epDriversGet, id, reqOpts)
}
