package smartcar

import (
	"context"
	"net/http"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
)

// wireOne is a JSON:API single-resource document.
type wireOne[W any] struct {
	Data *W `json:"data"`
}

// wireRelationship is {"data": {"id", "type"}, "links": {"related"}}.
type wireRelationship struct {
	Data *struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"data"`
	Links wireLinks `json:"links"`
}

func (r wireRelationship) id() string {
	if r.Data == nil {
		return ""
	}
	return r.Data.ID
}

// getOne reads the JSON:API resource at format with id (Get of every service).
func getOne[W any, T any](ctx context.Context, c *Client, api *httpcore.Client, format, id, what string, convert func(*W) T, opts []RequestOption) (*T, error) {
	path, err := httpcore.Path(format, id)
	if err != nil {
		return nil, invalid(err)
	}
	var doc wireOne[W]
	resp, err := c.do(ctx, call{api: api, method: http.MethodGet, path: path}, &doc, opts)
	if err != nil {
		return nil, err
	}
	if doc.Data == nil {
		return nil, malformedAt(resp, malformed("%s response has no data", what))
	}
	v := convert(doc.Data)
	return &v, nil
}

// deleteOne deletes the resource at format with id.
func deleteOne(ctx context.Context, c *Client, api *httpcore.Client, format, id string, opts []RequestOption) error {
	path, err := httpcore.Path(format, id)
	if err != nil {
		return invalid(err)
	}
	_, err = c.do(ctx, call{api: api, method: http.MethodDelete, path: path}, nil, opts)
	return err
}
