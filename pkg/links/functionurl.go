package links

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// FunctionURL adapts an http.Handler to a Lambda Function URL handler
// (the payload format 2.0 event that a Function URL sends).
func FunctionURL(h http.Handler) func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	return func(ctx context.Context, ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
		body := ev.Body
		if ev.IsBase64Encoded {
			raw, err := base64.StdEncoding.DecodeString(ev.Body)
			if err != nil {
				return events.LambdaFunctionURLResponse{StatusCode: http.StatusBadRequest, Body: "bad request body"}, nil
			}
			body = string(raw)
		}
		method := ev.RequestContext.HTTP.Method
		if method == "" {
			method = http.MethodGet
		}
		path := ev.RawPath
		if path == "" {
			path = "/"
		}
		target := path
		if ev.RawQueryString != "" {
			target += "?" + ev.RawQueryString
		}
		req, err := http.NewRequestWithContext(ctx, method, "https://"+ev.RequestContext.DomainName+target, strings.NewReader(body))
		if err != nil {
			return events.LambdaFunctionURLResponse{StatusCode: http.StatusBadRequest, Body: "bad request"}, nil
		}
		for k, v := range ev.Headers {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := events.LambdaFunctionURLResponse{StatusCode: rec.Code, Headers: map[string]string{}, Body: rec.Body.String()}
		for k, vs := range rec.Header() {
			resp.Headers[k] = strings.Join(vs, ", ")
		}
		return resp, nil
	}
}
