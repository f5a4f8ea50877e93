package appenv

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"reportmailer/pkg/archive"
	"reportmailer/pkg/linktoken"
	"reportmailer/pkg/oncall"
	"reportmailer/pkg/suppress"
)

// Environment of the mail links (one-click unsubscribe, archive links):
//
//	LINKS_BASE_URL    the links function's public URL (overrides mail.linksBaseURL; the stack sets it)
//	LINK_SECRET_ARN   Secrets Manager secret whose string is the HMAC key of link tokens (the stack generates it)
//	LINK_SIGNING_KEY  the key itself, for local runs (at least 32 bytes); wins over LINK_SECRET_ARN

// linkSigner returns the signer of link tokens, or nil when no key is set.
// The key's bytes are never echoed.
func linkSigner(ctx context.Context, e *env) (*linktoken.Signer, error) {
	if k := e.getenv("LINK_SIGNING_KEY"); k != "" {
		s, err := linktoken.NewSigner([]byte(k))
		if err != nil {
			return nil, fmt.Errorf("LINK_SIGNING_KEY: %w", err)
		}
		return s, nil
	}
	arn := e.getenv("LINK_SECRET_ARN")
	if arn == "" {
		return nil, nil
	}
	c, err := e.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	out, err := secretsmanager.NewFromConfig(c).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("link signing key from Secrets Manager (%s): %w", arn, err)
	}
	s, err := linktoken.NewSigner([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return nil, fmt.Errorf("link signing key secret %s: %w", arn, err)
	}
	return s, nil
}

// loadLinks sets the App's link signer and suppression store. A dry run
// with a links base but no key signs with a throwaway key, so that
// `digest --out` shows the real headers; a run that sends without a key
// sends no personal links (and says so) rather than links nothing can check.
func (a *App) loadLinks(ctx context.Context, opts Options, e *env) error {
	if a.DynamoDB != nil {
		a.Suppress = suppress.DynamoDB{Client: a.DynamoDB, Table: a.Table}
	}
	signer, err := linkSigner(ctx, e)
	if err != nil {
		return err
	}
	base := a.Config.Mail.LinksBaseURL
	switch {
	case signer != nil || base == "":
	case opts.NeedSender:
		a.Logger.Error("mail.linksBaseURL is set but no link signing key (LINK_SECRET_ARN or LINK_SIGNING_KEY): mail goes without one-click unsubscribe links",
			"linksBaseURL", base)
	default:
		key := make([]byte, linktoken.MinKeyBytes)
		_, _ = rand.Read(key)
		signer, _ = linktoken.NewSigner(key)
		a.Logger.Info("no link signing key: this preview's links are signed with a throwaway key and will not work", "linksBaseURL", base)
	}
	a.LinkSigner = signer
	return nil
}

// Links is what the links function needs.
type Links struct {
	Signer  *linktoken.Signer
	Store   suppress.Store
	Archive archive.Store // nil without ARCHIVE_BUCKET
	Logger  *slog.Logger
	// OnCall records the alert links' acknowledgements and silences.
	OnCall oncall.Store
}

// LoadLinks builds the links function's dependencies from the environment:
// the signing key (required), the suppression store in TABLE_NAME
// (required) and the archive bucket (ARCHIVE_BUCKET, optional). It reads
// no configuration file: the links function needs no Comm100 access.
func LoadLinks(ctx context.Context, opts Options) (*Links, error) {
	e := newEnv(opts.Getenv)
	l := &Links{Logger: opts.Logger}
	if l.Logger == nil {
		l.Logger = slog.New(slog.DiscardHandler)
	}
	var err error
	if l.Signer, err = linkSigner(ctx, e); err != nil {
		return nil, err
	}
	if l.Signer == nil {
		return nil, errors.New("no link signing key: set LINK_SECRET_ARN (or LINK_SIGNING_KEY for local runs)")
	}
	table := e.getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is required: unsubscribes must persist")
	}
	c, err := e.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	l.Store = suppress.DynamoDB{Client: dynamodb.NewFromConfig(c), Table: table}
	l.OnCall = oncall.DynamoDB{Client: dynamodb.NewFromConfig(c), Table: table}
	if bucket := e.getenv("ARCHIVE_BUCKET"); bucket != "" {
		l.Archive = archive.S3{Client: newS3(c, e.getenv), Bucket: bucket}
	}
	return l, nil
}
