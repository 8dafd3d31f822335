package mycartracks

// GeoPoint is a WGS 84 coordinate.
type GeoPoint struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// wireGeoPoint is a coordinate as the API may send it: latitude (alias lat) and
// longitude (aliases lng, lon), as numbers or numeric strings.
type wireGeoPoint struct {
	Latitude  flexFloat `json:"latitude"`
	Lat       flexFloat `json:"lat" alias:"latitude"`
	Longitude flexFloat `json:"longitude"`
	Lng       flexFloat `json:"lng" alias:"longitude"`
	Lon       flexFloat `json:"lon" alias:"longitude"`
}

func (w wireGeoPoint) point() GeoPoint {
	return GeoPoint{Latitude: first(w.Latitude, w.Lat).v, Longitude: first(w.Longitude, w.Lng, w.Lon).v}
}

// UnmarshalJSON decodes a coordinate, accepting the aliases lat, lng and lon.
func (p *GeoPoint) UnmarshalJSON(b []byte) error {
	var w wireGeoPoint
	if _, err := decodeObject(b, &w); err != nil {
		return err
	}
	*p = w.point()
	return nil
}

// Ptr returns a pointer to v, for the optional fields of JobParams and GeofenceParams:
// mycartracks.Ptr("Deliver to depot").
func Ptr[T any](v T) *T { return &v }
