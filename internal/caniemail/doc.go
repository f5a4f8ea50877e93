// Package caniemail holds the test that checks the HTML of the mails
// reportmailer sends against the caniemail.com support data, with the
// @jsx-email/doiuse-email package installed offline in tools/caniemail by
// `make tools`. It has no code of its own: see caniemail_test.go.
package caniemail
