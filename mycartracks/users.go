package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
)

// User is a user of the account.
type User struct {
	ID    ID     `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Raw is the user's JSON as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a user, also from a {"data":{...}} envelope, keeping Raw.
func (u *User) UnmarshalJSON(b []byte) error { return unmarshalModel(b, u, userFromWire) }

// wireUser decodes like User without its UnmarshalJSON.
type wireUser User

func userFromWire(w *wireUser, raw json.RawMessage) User {
	u := User(*w)
	u.Raw = raw
	return u
}

// UsersService lists and reads users (GET /users).
type UsersService service

var usersList = listEndpoint[wireUser, User]{epUsersList, userFromWire, func(x *User) ID { return x.ID }}

// List returns one page of users. opts may be nil.
func (s *UsersService) List(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) (*Page[User], error) {
	return usersList.page(ctx, s.client, opts.clone(), nil, reqOpts)
}

// All iterates over every user. opts may be nil.
func (s *UsersService) All(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) iter.Seq2[User, error] {
	return usersList.all(ctx, s.client, opts.clone(), nil, reqOpts)
}

// Get returns one user.
func (s *UsersService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*User, error) {
	return getOne[User](ctx, s.client, epUsersGet, id, reqOpts)
}
