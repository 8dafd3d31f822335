// Package mycartrackstest is a fake MyCarTracks API v3 server for tests, shaped like
// net/http/httptest: start one, point a client at its URL, assert, close it.
//
//	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(3))
//	defer srv.Close()
//	// a client built with srv.URL, srv.TokenURL, srv.ClientID and srv.ClientSecret
//
// The server runs on a loopback address and answers like the real API as fleetkit's
// wire contract describes it: an OAuth2 client-credentials token endpoint
// (srv.TokenURL), and under srv.URL (…/services/rest/v3) every REST endpoint, with
// bearer authentication, paging, sorting, field projection and the X-Rate-Limit-*
// budget.
//
// The data is a simulated fleet computed from a seed: the same options serve the same
// bytes on every run.
package mycartrackstest
