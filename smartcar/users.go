package smartcar

import "context"

// UsersService removes users.
type UsersService service

// Delete removes a user from the application with all their connections and data.
func (s *UsersService) Delete(ctx context.Context, userID string, opts ...RequestOption) error {
	return deleteOne(ctx, s.c, s.c.vehicleAPI, pathUser, userID, opts)
}
