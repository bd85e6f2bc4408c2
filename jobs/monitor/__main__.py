"""`python -m jobs.monitor` entry point."""

from jobs.monitor.cli import main

if __name__ == "__main__":
    main()
