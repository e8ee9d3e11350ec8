if __name__ == "__main__":  # not when a spawned process (the PDF printer) imports this module again
    from kalan.entry import main

    main()
