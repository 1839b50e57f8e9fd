"""Text for language models: tokenizers and the (batch, context) windows they are trained on.

* :class:`CharTokenizer`: one id per character seen in the training text (nanoGPT's
  Shakespeare-char);
* :class:`ByteBPETokenizer`: byte-level byte-pair encoding (Sennrich et al., 2016; GPT-2's
  byte-level variant): ids start as the 256 byte values, and the most frequent adjacent pair is
  merged into a new id, again and again. Any UTF-8 text encodes and decodes back exactly;
* :class:`WindowSampler`: random windows x = tokens[s : s + T], y = tokens[s + 1 : s + T + 1]
  from a seeded generator.

The default corpus is the running Python's standard library (:func:`stdlib_source`).
Both tokenizers save to and load from JSON (:func:`load_tokenizer` reads either).
"""

from glassbox.text.bpe import ByteBPETokenizer
from glassbox.text.char import CharTokenizer
from glassbox.text.corpus import read_text_file, stdlib_source
from glassbox.text.tokenizer import TOKENIZERS, Tokenizer, get_tokenizer, load_tokenizer
from glassbox.text.windows import WindowSampler, split_tokens, windows

__all__ = [
    "TOKENIZERS",
    "ByteBPETokenizer",
    "CharTokenizer",
    "Tokenizer",
    "WindowSampler",
    "get_tokenizer",
    "load_tokenizer",
    "read_text_file",
    "split_tokens",
    "stdlib_source",
    "windows",
]
