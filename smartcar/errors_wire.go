package smartcar

import (
	"bytes"
	"cmp"
	"encoding/json"
	"strings"

	"github.com/fleetkit/fleetkit-go/internal/textutil"
)

// wireErrorBody holds the fields of every error form.
type wireErrorBody struct {
	Errors []wireError `json:"errors"`
	wireError
	// The OAuth form. Error is raw: some servers send an object there.
	OAuthError       json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
	Message          string          `json:"message"`
}

type wireError struct {
	Status               flexInt                  `json:"status"`
	StatusCode           flexInt                  `json:"statusCode"`
	Type                 flexText                 `json:"type"`
	Code                 flexText                 `json:"code"`
	Title                flexText                 `json:"title"`
	Detail               flexText                 `json:"detail"`
	Description          flexText                 `json:"description"`
	DocURL               flexText                 `json:"docURL"`
	Links                struct{ About flexText } `json:"links"`
	Resolution           wireResolution           `json:"resolution"`
	SuggestedUserMessage flexText                 `json:"suggestedUserMessage"`
	RequestID            flexText                 `json:"requestId"`
	Meta                 struct {
		RequestID flexText `json:"requestId"`
		// Debug.RequestID is where real v3 error traffic carries the request id
		// ([R], docs/evidence.md Smartcar §7).
		Debug struct {
			RequestID flexText `json:"requestId"`
		} `json:"debug"`
	} `json:"meta"`
}

func (w *wireError) detail() ErrorDetail {
	d := ErrorDetail{
		Status:               int(w.Status),
		Type:                 ErrorType(w.Type),
		Code:                 ErrorCode(w.Code),
		Title:                string(w.Title),
		Detail:               string(w.Detail),
		Description:          string(w.Description),
		Resolution:           ResolutionType(w.Resolution.Type),
		ResolutionURL:        w.Resolution.URL,
		SuggestedUserMessage: string(w.SuggestedUserMessage),
		DocURL:               string(w.DocURL),
	}
	if d.Status == 0 {
		d.Status = int(w.StatusCode)
	}
	if d.DocURL == "" {
		d.DocURL = string(w.Links.About)
	}
	return d
}

func (w *wireError) empty() bool {
	return w.Type == "" && w.Code == "" && w.Title == "" && w.Detail == "" && w.Description == ""
}

// parseErrorBody fills e from the body and returns a request id the body carries.
func parseErrorBody(e *APIError, body []byte) (requestID string) {
	trimmed := bytes.TrimSpace(body)
	var w wireErrorBody
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &w) != nil {
		e.Message = textutil.Clip(string(trimmed), 300)
		return ""
	}
	switch {
	case len(w.Errors) > 0:
		e.Errors = make([]ErrorDetail, len(w.Errors))
		for i := range w.Errors {
			e.Errors[i] = w.Errors[i].detail()
		}
		requestID = cmp.Or(string(w.Errors[0].Meta.RequestID), string(w.Errors[0].Meta.Debug.RequestID), string(w.Errors[0].RequestID))
	case !w.wireError.empty():
		e.Errors = []ErrorDetail{w.wireError.detail()}
	case len(w.OAuthError) > 0 && string(w.OAuthError) != "null":
		d := ErrorDetail{Description: w.ErrorDescription}
		var code string
		var nested wireNestedError
		switch {
		case json.Unmarshal(w.OAuthError, &code) == nil:
			d.Code = ErrorCode(code)
		case json.Unmarshal(w.OAuthError, &nested) == nil && !nested.empty():
			// The flat form nested under "error": {"error":{"type","code",...}}.
			d = nested.detail()
			if d.Detail == "" && d.Description == "" {
				d.Detail = cmp.Or(string(nested.Message), w.ErrorDescription)
			}
			requestID = cmp.Or(string(nested.Meta.RequestID), string(nested.RequestID))
		default:
			var f flexText
			_ = json.Unmarshal(w.OAuthError, &f)
			d.Detail = string(f)
		}
		e.Errors = []ErrorDetail{d}
	case w.Message != "":
		e.Message = w.Message
	default:
		e.Message = textutil.Clip(string(trimmed), 300)
	}
	if len(e.Errors) > 0 {
		first := &e.Errors[0]
		if first.Detail == "" && first.Description == "" && w.Message != "" {
			first.Detail = w.Message
		}
		e.Type, e.Code, e.Resolution, e.Message = first.Type, first.Code, first.Resolution, first.Message()
	}
	return cmp.Or(requestID, string(w.RequestID), string(w.Meta.RequestID))
}

// wireNestedError is the object of {"error": {...}}: the flat form, or a message.
type wireNestedError struct {
	wireError
	Message flexText `json:"message"`
}

// wireResolution is {"type": ..., "url": ...}, or a bare string.
type wireResolution struct {
	Type string
	URL  string
}

func (r *wireResolution) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		r.Type = s
		return nil
	}
	var o struct {
		Type flexText `json:"type"`
		URL  flexText `json:"url"`
	}
	if json.Unmarshal(b, &o) == nil {
		r.Type, r.URL = string(o.Type), string(o.URL)
	}
	return nil
}

// flexText decodes any JSON value into text: strings as they are, numbers and booleans
// as written, arrays as their messages joined by "; ", objects by their message field,
// null as "".
type flexText string

func (t *flexText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err == nil {
			*t = flexText(s)
		}
	case 'n':
		*t = ""
	case '[':
		var items []flexText
		if json.Unmarshal(b, &items) == nil {
			parts := make([]string, 0, len(items))
			for _, it := range items {
				if it != "" {
					parts = append(parts, string(it))
				}
			}
			*t = flexText(strings.Join(parts, "; "))
		}
	case '{':
		var o struct {
			Message flexText `json:"message"`
			Detail  flexText `json:"detail"`
			Field   flexText `json:"field"`
		}
		if json.Unmarshal(b, &o) == nil {
			msg := cmp.Or(string(o.Message), string(o.Detail))
			if o.Field != "" && msg != "" {
				msg = string(o.Field) + ": " + msg
			}
			*t = flexText(msg)
		}
	default:
		*t = flexText(b)
	}
	return nil
}
