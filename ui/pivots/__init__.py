"""The Pivots page's pieces: state (cached report, what-if), sentences, charts and tables, the meeting summary."""
