package httpcore

import (
	"net/url"
	"regexp"
	"strings"
)

// sensitiveParams are query parameters whose values are credentials.
var sensitiveParams = map[string]bool{
	"client_secret": true, "access_token": true, "refresh_token": true, "id_token": true,
	"token": true, "code": true, "signature": true, "sig": true, "password": true,
	"secret": true, "api_key": true, "apikey": true, "key": true, "auth": true,
	"x-amz-signature": true, "x-amz-credential": true, "x-amz-security-token": true,
}

// IsSensitiveParam reports whether a query parameter (or form field) carries a credential.
func IsSensitiveParam(name string) bool { return sensitiveParams[strings.ToLower(name)] }

// RedactURL formats u with user information and credential-bearing query values replaced
// by REDACTED.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := *u
	if r.User != nil {
		r.User = url.User("REDACTED")
	}
	if r.RawQuery != "" {
		q, err := url.ParseQuery(r.RawQuery)
		if err != nil {
			r.RawQuery = "REDACTED"
		} else {
			changed := false
			for k, vs := range q {
				if IsSensitiveParam(k) {
					for i := range vs {
						vs[i] = "REDACTED"
					}
					changed = true
				}
			}
			if changed {
				r.RawQuery = q.Encode()
			}
		}
	}
	return r.String()
}

// RedactURLString is RedactURL for text; text that does not parse is replaced whole.
func RedactURLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "REDACTED"
	}
	return RedactURL(u)
}

var (
	bearerRe = regexp.MustCompile(`(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+`)
	paramRe  = regexp.MustCompile(`(?i)((?:client_secret|access_token|refresh_token|id_token|token|signature|sig|password|secret|api_?key)=)[^&\s"]+`)
	userRe   = regexp.MustCompile(`(://)[^/@\s]+@`)
)

// RedactString removes bearer and basic credentials, credential query parameters and URL
// user information from free text such as a network error message.
func RedactString(s string) string {
	s = bearerRe.ReplaceAllString(s, "$1 REDACTED")
	s = paramRe.ReplaceAllString(s, "${1}REDACTED")
	s = userRe.ReplaceAllString(s, "${1}REDACTED@")
	return s
}
