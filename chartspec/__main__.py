from .cli.main import main

if __name__ == "__main__":  # guarded: worker processes import this module under spawn
    main(prog_name="chartspec")
