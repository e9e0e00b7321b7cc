"""The Kling video API: capabilities, options, results, errors and the HTTP client."""
