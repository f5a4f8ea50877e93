// Package archive keeps rendered digests in S3 and hands out pre-signed
// links to them (for PDFs too large to attach).
package archive

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Store puts objects and signs links to them.
type Store interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
	Link(ctx context.Context, key string, ttl time.Duration) (string, error)
	// URI names an object for logs, e.g. s3://bucket/key.
	URI(key string) string
}

// S3 is a Store in an S3 bucket (server-side encrypted).
type S3 struct {
	Client *s3.Client
	Bucket string
}

// Put implements Store.
func (s S3) Put(ctx context.Context, key, contentType string, data []byte) error {
	_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key), Body: bytes.NewReader(data),
		ContentType: aws.String(contentType), ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return fmt.Errorf("archive %s: %w", s.URI(key), err)
	}
	return nil
}

// Link implements Store with a pre-signed GET URL.
func (s S3) Link(ctx context.Context, key string, ttl time.Duration) (string, error) {
	req, err := s3.NewPresignClient(s.Client).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("archive link %s: %w", s.URI(key), err)
	}
	return req.URL, nil
}

// URI implements Store.
func (s S3) URI(key string) string { return "s3://" + s.Bucket + "/" + key }
