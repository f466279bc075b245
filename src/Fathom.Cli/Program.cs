using Fathom.Cli;

return await FathomCli.RunAsync(args);
