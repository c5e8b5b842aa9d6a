package acesim

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

const amzDateFormat = "20060102T150405Z"

// sigHeader is a parsed Authorization header:
// AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/partnercentral-selling/aws4_request,
// SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=hex
type sigHeader struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func parseAuthorization(h string) (sigHeader, bool) {
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(h, algo) {
		return sigHeader{}, false
	}
	var out sigHeader
	for _, part := range strings.Split(strings.TrimPrefix(h, algo), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return sigHeader{}, false
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return sigHeader{}, false
			}
			out.accessKey, out.date, out.region, out.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			out.signedHeaders = strings.Split(v, ";")
		case "Signature":
			out.signature = v
		}
	}
	if out.accessKey == "" || len(out.signedHeaders) == 0 || out.signature == "" {
		return sigHeader{}, false
	}
	return out, true
}

// authenticate checks a request's SigV4 signature by signing the same
// request again, with the secret the simulator holds for its access key and
// the same signer the client uses, and comparing the two. It returns the
// credential the request was signed with, or the error AWS's front door
// answers: MissingAuthenticationTokenException without a signature,
// IncompleteSignatureException for a malformed one,
// UnrecognizedClientException for an unknown key or session token,
// InvalidSignatureException for a signature that does not match, is scoped
// to another service or region, or is too old.
func (s *Server) authenticate(r *http.Request, body []byte) (Credential, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Credential{}, authError("MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	sig, ok := parseAuthorization(h)
	if !ok {
		return Credential{}, authError("IncompleteSignatureException", "The Authorization header is not a valid AWS4-HMAC-SHA256 signature.")
	}
	cred, known := s.creds[sig.accessKey]
	if !known {
		return Credential{}, authError("UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	if sig.service != pc.SigningName || sig.region != pc.DefaultRegion {
		return Credential{}, authError("InvalidSignatureException", "Credential should be scoped to a valid region and to the service partnercentral-selling.")
	}
	signed := map[string]bool{}
	for _, n := range sig.signedHeaders {
		signed[n] = true
	}
	if !signed["host"] || !signed["x-amz-date"] {
		return Credential{}, authError("InvalidSignatureException", "The signature must cover the host and x-amz-date headers.")
	}
	at, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil || at.Format("20060102") != sig.date {
		return Credential{}, authError("IncompleteSignatureException", "X-Amz-Date is missing or does not match the credential scope.")
	}
	if d := s.opts.Now().Sub(at); d > s.opts.MaxSkew || d < -s.opts.MaxSkew {
		return Credential{}, authError("InvalidSignatureException", "Signature expired: the request's X-Amz-Date is too far from the server's time.")
	}
	if cred.SessionToken != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Amz-Security-Token")), []byte(cred.SessionToken)) != 1 {
		return Credential{}, authError("UnrecognizedClientException", "The security token included in the request is invalid.")
	}

	// The request again, with only the headers the client signed.
	again, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return Credential{}, authError("IncompleteSignatureException", "The request cannot be signed again.")
	}
	again.Host = r.Host
	again.ContentLength = 0
	if signed["content-length"] {
		again.ContentLength = int64(len(body))
	}
	for name := range signed {
		if name == "host" || name == "content-length" {
			continue
		}
		for _, v := range r.Header.Values(name) {
			again.Header.Add(name, v)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey, SessionToken: cred.SessionToken}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, again, hex.EncodeToString(sum[:]), pc.SigningName, pc.DefaultRegion, at); err != nil {
		return Credential{}, authError("IncompleteSignatureException", "The request cannot be signed again.")
	}
	want, ok := parseAuthorization(again.Header.Get("Authorization"))
	if !ok || strings.Join(want.signedHeaders, ";") != strings.Join(sig.signedHeaders, ";") ||
		subtle.ConstantTimeCompare([]byte(want.signature), []byte(sig.signature)) != 1 {
		return Credential{}, authError("InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return cred, nil
}
