from langxanh.cli import main

main()
