package appenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"reportmailer/pkg/config"
)

// Reloader keeps a warm Lambda's configuration current. Each Current call
// asks the source for its version — the SSM parameter's Version, the S3
// object's ETag — and rebuilds only when that changed, so a change applies
// at the next invocation, not the next cold start. A changed configuration
// that does not load (invalid, or unreadable) is not used: the process
// keeps the last good one and logs the problems as one error, once per
// rejected version ("configuration change rejected"; the template's
// ConfigRejected metric filter counts it). A bundled file never changes
// under a running process and is read once.
type Reloader[T any] struct {
	opts   Options
	e      *env
	load   func(context.Context) (T, error)
	logger *slog.Logger

	mu       sync.Mutex
	cur      T
	have     bool
	version  string // of cur
	rejected string // the last version that failed to load
}

// ReloadApp keeps an App (Load) current.
func ReloadApp(opts Options) *Reloader[*App] {
	return newReloader(opts, func(ctx context.Context) (*App, error) { return Load(ctx, opts) })
}

// ReloadConfig keeps a configuration (LoadConfig) current: for the
// dispatcher, which needs no credentials.
func ReloadConfig(opts Options) *Reloader[*Loaded] {
	return newReloader(opts, func(ctx context.Context) (*Loaded, error) { return LoadConfig(ctx, opts) })
}

func newReloader[T any](opts Options, load func(context.Context) (T, error)) *Reloader[T] {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Reloader[T]{opts: opts, e: newEnv(opts.Getenv), load: load, logger: logger}
}

// Current returns the value for the source's current version. It fails
// only when no configuration has loaded yet.
func (r *Reloader[T]) Current(ctx context.Context) (T, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := r.sourceVersion(ctx)
	if err != nil {
		if r.have {
			r.logger.Warn("configuration version check failed; keeping the loaded configuration", "version", r.version, "error", err.Error())
			return r.cur, nil
		}
		v = "" // load anyway: its error says what is wrong
	}
	if r.have && (v == r.version || v == r.rejected) {
		return r.cur, nil
	}
	val, err := r.load(ctx)
	if err != nil {
		if !r.have {
			return val, err
		}
		attrs := []any{"version", v, "running", r.version, "error", err.Error()}
		var ps config.Problems
		if errors.As(err, &ps) {
			problems := make([]string, len(ps))
			for i, p := range ps {
				problems[i] = p.String()
			}
			attrs = append(attrs, "problems", problems)
			r.rejected = v // the same version will not load next time either
		}
		r.logger.Error("configuration change rejected; still running the last good configuration", attrs...)
		return r.cur, nil
	}
	if r.have {
		r.logger.Info("configuration reloaded", "version", v, "previous", r.version)
	}
	r.cur, r.have, r.version, r.rejected = val, true, v, ""
	return val, nil
}

// sourceVersion asks where the configuration comes from for its version,
// with a metadata call (or the parameter itself: GetParameter is the one
// SSM call the role allows, and a configuration is a few kilobytes).
func (r *Reloader[T]) sourceVersion(ctx context.Context) (string, error) {
	getenv := r.e.getenv
	if r.opts.ConfigPath != "" {
		return "file:" + r.opts.ConfigPath, nil
	}
	if name := getenv("CONFIG_SSM_PARAMETER"); name != "" {
		c, err := r.e.awsConfig(ctx)
		if err != nil {
			return "", err
		}
		out, err := ssm.NewFromConfig(c).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		if err != nil {
			return "", fmt.Errorf("get SSM parameter %s: %w", name, err)
		}
		return "ssm:" + name + ":" + strconv.FormatInt(out.Parameter.Version, 10), nil
	}
	if uri := getenv("CONFIG_S3_URI"); uri != "" {
		bucket, key, err := parseS3URI(uri)
		if err != nil {
			return "", err
		}
		c, err := r.e.awsConfig(ctx)
		if err != nil {
			return "", err
		}
		out, err := newS3(c, getenv).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return "", fmt.Errorf("head S3 object %s: %w", uri, err)
		}
		return uri + "@" + aws.ToString(out.ETag), nil
	}
	return "file:" + getenv("CONFIG_FILE"), nil
}

// SSM parameter tiers: the largest value each holds.
const (
	SSMStandardBytes = 4096
	SSMAdvancedBytes = 8192
)

// SSMTier says which SSM parameter tier a configuration of size bytes
// needs, or why it cannot be an SSM parameter at all.
func SSMTier(size int) (string, error) {
	switch {
	case size <= SSMStandardBytes:
		return "Standard", nil
	case size <= SSMAdvancedBytes:
		return "Advanced", nil
	}
	return "", fmt.Errorf("%d bytes: an SSM parameter holds at most %d (standard tier) or %d (advanced tier); "+
		"keep this configuration in S3 (ConfigS3Uri / CONFIG_S3_URI) or bundle it with the functions (make build CONFIG=…)",
		size, SSMStandardBytes, SSMAdvancedBytes)
}
