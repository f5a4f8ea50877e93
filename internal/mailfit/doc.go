// Package mailfit holds the test that every mail fits a phone: the demo
// digest, an audience member's copy and the alert mails, each opened in a
// real 320 and 375 px viewport (an iframe in headless Chromium).
package mailfit
