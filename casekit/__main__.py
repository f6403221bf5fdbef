"""``python -m casekit`` runs the command-line interface."""
from casekit.cli import main

if __name__ == "__main__":
    main()
