"""The AI features: the career profiler, embeddings and interest vectors, recommendations and their ranker, hybrid search, work-style analysis, and the AI job bookkeeping."""
