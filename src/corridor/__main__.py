"""`python -m corridor` runs the command line."""

from corridor.cli import main

if __name__ == "__main__":
    main()
