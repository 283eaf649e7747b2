"""How the evidence is presented: random-effects pooling (meta_analysis), the forest
plots' groups built from a pair's studies (forest), and the SVG charts the pages draw
(charts). Pure computation and markup: no queries, no views."""
