package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
)

// Team is a team of users.
type Team struct {
	ID        ID     `json:"id"`
	Name      string `json:"name"`
	MemberIDs []ID   `json:"memberIds"`
	// Raw is the team's JSON as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a team, also from a {"data":{...}} envelope, keeping Raw.
func (t *Team) UnmarshalJSON(b []byte) error {
	type plain Team
	var p plain
	raw, err := decodeObject(b, &p)
	if err != nil {
		return err
	}
	*t = Team(p)
	t.Raw = raw
	return nil
}

// TeamsService lists and reads teams (GET /teams).
type TeamsService service

// List returns one page of teams. opts may be nil.
func (s *TeamsService) List(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) (*Page[Team], error) {
	return listOne[Team](ctx, s.client, epTeamsList, nil, opts.clone(), encodeList, reqOpts)
}

// All iterates over every team. opts may be nil.
func (s *TeamsService) All(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) iter.Seq2[Team, error] {
	return listAll[Team](ctx, s.client, epTeamsList, nil, opts.clone(), encodeList, reqOpts)
}

// Get returns one team.
func (s *TeamsService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*Team, error) {
	return getOne[Team](ctx, s.client, epTeamsGet, id, reqOpts)
}
