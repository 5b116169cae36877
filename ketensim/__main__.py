"""Allow ``python -m ketensim``."""

from ketensim.cli import main

main()
