package render

// Visual exposes visual to the external tests.
var Visual = visual
