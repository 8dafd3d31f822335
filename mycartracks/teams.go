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
func (t *Team) UnmarshalJSON(b []byte) error { return unmarshalModel(b, t, teamFromWire) }

// wireTeam decodes like Team without its UnmarshalJSON.
type wireTeam Team

func teamFromWire(w *wireTeam, raw json.RawMessage) Team {
	t := Team(*w)
	t.Raw = raw
	return t
}

// TeamsService lists and reads teams (GET /teams).
type TeamsService service

var teamsList = listEndpoint[wireTeam, Team]{epTeamsList, teamFromWire, func(x *Team) ID { return x.ID }}

// List returns one page of teams. opts may be nil.
func (s *TeamsService) List(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) (*Page[Team], error) {
	return teamsList.page(ctx, s.client, opts.clone(), nil, reqOpts)
}

// All iterates over every team. opts may be nil.
func (s *TeamsService) All(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) iter.Seq2[Team, error] {
	return teamsList.all(ctx, s.client, opts.clone(), nil, reqOpts)
}

// Get returns one team.
func (s *TeamsService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*Team, error) {
	return getOne[Team](ctx, s.client, epTeamsGet, id, reqOpts)
}
