"""Synthetic demo data: the generators behind ``permed demo-corpus`` and the Delphi demo panel.

The landscape corpus generator writes OpenAlex works and Lens patents in their real formats
(the ingest reads them as it reads real files); :mod:`permed_atlas.demo.delphi_panel`
regenerates the Delphi demo study's panel and ratings by hand. Loading the demo into a data
directory is ``permed demo`` (:mod:`permed_atlas.instance`).
"""

from permed_atlas.demo.corpus import (
    bundled_demo_files,
    demo_corpus_paths,
    generate_lens_patents,
    generate_openalex_works,
    write_demo_corpus,
    write_lens_jsonl,
    write_openalex_jsonl,
)

__all__ = [
    "bundled_demo_files",
    "demo_corpus_paths",
    "generate_lens_patents",
    "generate_openalex_works",
    "write_demo_corpus",
    "write_lens_jsonl",
    "write_openalex_jsonl",
]
