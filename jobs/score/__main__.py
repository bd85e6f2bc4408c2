"""`python -m jobs.score` entry point."""

from jobs.score.cli import main

if __name__ == "__main__":
    main()
