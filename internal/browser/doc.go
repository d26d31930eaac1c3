// Package browser renders untrusted URLs in headless Chromium.
package browser
