"""Run every benchmark and print its figures: `python -m bench`."""

from bench import client_overhead, panel_list, sandbox_http


def main() -> None:
    for module in (client_overhead, sandbox_http, panel_list):
        print(f"== {module.__name__}: {module.__doc__.strip().splitlines()[0]}")
        for line in module.run():
            print("  " + line)


if __name__ == "__main__":
    main()
