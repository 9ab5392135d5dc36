import CLI

@main
struct Entrypoint {
    static func main() async {
        await D365MMCommand.main()
    }
}
