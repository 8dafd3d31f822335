package stream

import (
	"net/url"
	"strings"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/internal/redact"
)

// RedactURL formats a stream URL for logs and errors: credential query values and user
// information replaced by httpcore.RedactURL, and every path segment after the first
// (a stream id or a token carried in the path) replaced too.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return redact.Replacement
	}
	segs := strings.Split(strings.TrimPrefix(p.Path, "/"), "/")
	for i := 1; i < len(segs); i++ {
		if segs[i] != "" {
			segs[i] = redact.Replacement
		}
	}
	p.Path = "/" + strings.Join(segs, "/")
	p.RawPath = ""
	q := p.Query()
	for k, vs := range q {
		for i := range vs {
			vs[i] = redact.Replacement
		}
		q[k] = vs
	}
	p.RawQuery = q.Encode()
	return httpcore.RedactURL(p)
}

// redactText removes a stream URL, its query values and last path segment from free text
// (a network error may quote the URL in any encoding) and the credentials
// httpcore.RedactString knows.
func redactText(text, rawURL, redacted string) string {
	if rawURL != "" {
		r := redact.New("", "")
		if p, err := url.Parse(rawURL); err == nil {
			for _, vs := range p.Query() {
				for _, v := range vs {
					r.AddToken(v)
				}
			}
			r.AddToken(p.Path[strings.LastIndexByte(p.Path, '/')+1:])
		}
		text = strings.ReplaceAll(text, rawURL, redacted)
		text = r.String(text)
	}
	return httpcore.RedactString(text)
}
