"""Allow ``python -m ketensim``."""

from ketensim.cli import main

if __name__ == "__main__":
    main()
