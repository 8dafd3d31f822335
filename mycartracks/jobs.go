package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// JobStatus is the state of a job.
type JobStatus string

// Job states.
const (
	JobNew        JobStatus = "new"
	JobAssigned   JobStatus = "assigned"
	JobInProgress JobStatus = "in_progress"
	JobCompleted  JobStatus = "completed"
	JobCancelled  JobStatus = "cancelled"
)

// Job is a task for a driver or vehicle, such as a delivery.
type Job struct {
	ID        ID
	Name      string
	Status    JobStatus
	VehicleID ID
	DriverID  ID
	Address   string
	// Location is where the job takes place; nil when the job has none.
	Location *GeoPoint
	// ScheduledAt and CompletedAt are in UTC; zero when not set.
	ScheduledAt, CompletedAt time.Time
	// Raw is the job's JSON as received.
	Raw json.RawMessage
}

type wireJob struct {
	ID          ID                   `json:"id"`
	Name        string               `json:"name"`
	Status      JobStatus            `json:"status"`
	VehicleID   *ID                  `json:"vehicleId"`
	CarID       *ID                  `json:"carId" alias:"vehicleId"`
	DriverID    ID                   `json:"driverId"`
	Address     string               `json:"address"`
	Latitude    flexFloat            `json:"latitude"`
	Lat         flexFloat            `json:"lat" alias:"latitude"`
	Longitude   flexFloat            `json:"longitude"`
	Lng         flexFloat            `json:"lng" alias:"longitude"`
	Lon         flexFloat            `json:"lon" alias:"longitude"`
	ScheduledAt telematics.Timestamp `json:"scheduledAt"`
	CompletedAt telematics.Timestamp `json:"completedAt"`
}

// UnmarshalJSON decodes a job, also from a {"data":{...}} envelope, keeping Raw.
func (j *Job) UnmarshalJSON(b []byte) error { return unmarshalModel(b, j, jobFromWire) }

func jobFromWire(w *wireJob, raw json.RawMessage) Job {
	j := Job{
		ID:          w.ID,
		Name:        w.Name,
		Status:      w.Status,
		VehicleID:   firstID(w.VehicleID, w.CarID),
		DriverID:    w.DriverID,
		Address:     w.Address,
		ScheduledAt: w.ScheduledAt.Time,
		CompletedAt: w.CompletedAt.Time,
		Raw:         raw,
	}
	lat, lon := first(w.Latitude, w.Lat), first(w.Longitude, w.Lng, w.Lon)
	if lat.ok || lon.ok {
		j.Location = &GeoPoint{Latitude: lat.v, Longitude: lon.v}
	}
	return j
}

// MarshalJSON encodes the job as the API sends it, times in epoch ms; unset fields are
// left out. Raw is not encoded.
func (j Job) MarshalJSON() ([]byte, error) {
	w := struct {
		ID          ID        `json:"id"`
		Name        string    `json:"name"`
		Status      JobStatus `json:"status,omitempty"`
		VehicleID   ID        `json:"vehicleId,omitempty"`
		DriverID    ID        `json:"driverId,omitempty"`
		Address     string    `json:"address,omitempty"`
		Latitude    *float64  `json:"latitude,omitempty"`
		Longitude   *float64  `json:"longitude,omitempty"`
		ScheduledAt *int64    `json:"scheduledAt,omitempty"`
		CompletedAt *int64    `json:"completedAt,omitempty"`
	}{ID: j.ID, Name: j.Name, Status: j.Status, VehicleID: j.VehicleID, DriverID: j.DriverID, Address: j.Address,
		ScheduledAt: epochMs(j.ScheduledAt), CompletedAt: epochMs(j.CompletedAt)}
	if j.Location != nil {
		w.Latitude, w.Longitude = &j.Location.Latitude, &j.Location.Longitude
	}
	return json.Marshal(w)
}

// JobParams is the body of Jobs.Create and Jobs.Update. Nil fields are not sent: on
// Update they keep their value. Build pointers with Ptr.
type JobParams struct {
	// Name is required on Create.
	Name      *string
	Status    *JobStatus
	VehicleID *ID
	DriverID  *ID
	Address   *string
	Location  *GeoPoint
	// ScheduledAt and CompletedAt are sent as epoch milliseconds.
	ScheduledAt *time.Time
	CompletedAt *time.Time
}

// MarshalJSON encodes the fields that are set, in the API's names and units.
func (p JobParams) MarshalJSON() ([]byte, error) {
	w := struct {
		Name        *string    `json:"name,omitempty"`
		Status      *JobStatus `json:"status,omitempty"`
		VehicleID   *ID        `json:"vehicleId,omitempty"`
		DriverID    *ID        `json:"driverId,omitempty"`
		Address     *string    `json:"address,omitempty"`
		Latitude    *float64   `json:"latitude,omitempty"`
		Longitude   *float64   `json:"longitude,omitempty"`
		ScheduledAt *int64     `json:"scheduledAt,omitempty"`
		CompletedAt *int64     `json:"completedAt,omitempty"`
	}{Name: p.Name, Status: p.Status, VehicleID: p.VehicleID, DriverID: p.DriverID, Address: p.Address,
		ScheduledAt: epochMillis(p.ScheduledAt), CompletedAt: epochMillis(p.CompletedAt)}
	if p.Location != nil {
		w.Latitude, w.Longitude = &p.Location.Latitude, &p.Location.Longitude
	}
	return json.Marshal(w)
}

func epochMillis(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// JobListOptions filters and pages Jobs.List and Jobs.All.
type JobListOptions struct {
	ListOptions
	// VehicleID keeps the jobs of one vehicle (0: all).
	VehicleID ID
	// Status keeps the jobs in one state ("": all).
	Status JobStatus
}

func (o *JobListOptions) clone() JobListOptions {
	if o == nil {
		return JobListOptions{}
	}
	c := *o
	c.ListOptions = o.ListOptions.clone()
	return c
}

// filters adds the query parameters of the filters besides ListOptions.
func (o JobListOptions) filters(q url.Values) {
	if o.VehicleID != 0 {
		q.Set(qVehicleID, o.VehicleID.String())
	}
	if o.Status != "" {
		q.Set(qStatus, string(o.Status))
	}
}

// JobsService lists, reads, creates, updates and deletes jobs. Writes need the write
// scope.
type JobsService service

var jobsList = listEndpoint[wireJob, Job]{epJobsList, jobFromWire, func(x *Job) ID { return x.ID }}

// List returns one page of jobs. opts may be nil.
func (s *JobsService) List(ctx context.Context, opts *JobListOptions, reqOpts ...RequestOption) (*Page[Job], error) {
	o := opts.clone()
	return jobsList.page(ctx, s.client, o.ListOptions, o.filters, reqOpts)
}

// All iterates over every job matching opts. opts may be nil.
func (s *JobsService) All(ctx context.Context, opts *JobListOptions, reqOpts ...RequestOption) iter.Seq2[Job, error] {
	o := opts.clone()
	return jobsList.all(ctx, s.client, o.ListOptions, o.filters, reqOpts)
}

// Get returns one job.
func (s *JobsService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*Job, error) {
	return getOne[Job](ctx, s.client, epJobsGet, id, reqOpts)
}

// Create creates a job and returns it as stored. A refused field is an *APIError
// matching telematics.ErrInvalidInput whose Errors name it.
func (s *JobsService) Create(ctx context.Context, params JobParams, reqOpts ...RequestOption) (*Job, error) {
	var out Job
	if _, err := s.client.call(ctx, epJobsCreate, nil, nil, params, &out, reqOpts); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update changes the fields of a job that params sets and returns the job as stored.
func (s *JobsService) Update(ctx context.Context, id ID, params JobParams, reqOpts ...RequestOption) (*Job, error) {
	var out Job
	if _, err := s.client.call(ctx, epJobsUpdate, []string{id.String()}, nil, params, &out, reqOpts); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes a job. A DELETE is retried after a network failure or a 5xx; when a
// retried attempt is answered 404, an earlier attempt already deleted the job and
// Delete returns nil (an id that never existed then also returns nil).
func (s *JobsService) Delete(ctx context.Context, id ID, reqOpts ...RequestOption) error {
	return s.client.deleteByID(ctx, epJobsDelete, id, reqOpts)
}
